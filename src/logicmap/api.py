"""The logicmap library API: one :class:`Review` object per project.

::

    from logicmap.api import Review

    with Review.create("review.db", name="My review") as review:
        report = review.records.import_files(["pubmed.nbib"], database="PubMed")
        review.dedupe.run()
        print(review.records.count(), [s.file for s in review.records.sources()])

A project is one SQLite file or one PostgreSQL database (``postgresql://`` URL).
Each stage is a namespace, in the order data flows: ``records`` -> ``dedupe`` ->
``screening`` (with ``fulltext``, the full-text stage) -> ``coding`` (with ``codebook``) -> ``model`` -> ``report``.
Everything taken and returned is a plain value or dataclass; every error raised
on purpose is a :class:`~logicmap.errors.LogicmapError`.
"""

from __future__ import annotations

from pathlib import Path

# --- values that adapters pass in and get back ---
from logicmap.codebook import (
    Code, Codebook, add_code, embedded_codebooks, load_codebook, merge_codes, rename_code, save_codebook, split_code,
)
from logicmap.codebook.codes import DIRECTIONS, MODERATOR_DIRECTIONS
from logicmap.coding.spans import EvidenceSpan
from logicmap.dedupe.engine import DedupeSettings
from logicmap.dedupe.results import DedupeRunInfo, DedupeSummary, ReviewItem
from logicmap.errors import (
    AccountError,
    CodebookChangeRefused,
    CodebookError,
    CodingError,
    DedupeError,
    ExportError,
    ImportFormatError,
    ImportRefused,
    LogicmapError,
    NotFoundError,
    ScreeningDataError,
    ScreeningError,
    SpanError,
    StoreError,
)
from logicmap.records.intake import FileResult, ImportReport
from logicmap.records.source import RecordOrigin, SkipEntry, SourceSummary
from logicmap.review.accounts import ROLES, Account, AccountsStage, AuditEntry, SessionInfo
from logicmap.review.codebook import CodebookStage
from logicmap.review.coding import CodingStage, suggest_file
from logicmap.review.dedupe import DedupeStage
from logicmap.review.fulltext import MAX_FILE_BYTES as MAX_FULLTEXT_BYTES
from logicmap.review.fulltext import Decided, FullTextProgress, FullTextStage
from logicmap.review.fulltext_ranking import BackgroundRanking, FullTextOrder
from logicmap.review.model import ModelStage
from logicmap.review.records import RecordsStage
from logicmap.review.report import ReportStage
from logicmap.review.screening import ScreeningCard, ScreeningStage
from logicmap.review.screening_service import ScreeningService
from logicmap.review.screening_session import ScreeningSession
from logicmap.review.interim import Interim
from logicmap.review.preparation import Preparing
from logicmap.review.screening_team import TeamScreening
from logicmap.review.team_settings import TeamSettings
from logicmap.screening.team_queue import TeamProgress
from logicmap.review.simulation import SimulationRun, simulate_dataset
from logicmap.screening.decisions import (
    DEFAULT_EXCLUSION_REASONS, GENERIC_EXCLUSION_REASONS, Agreement, Conflict, Decision, clean_reasons,
)
from logicmap.screening.queue import ReviewerQueue, ScreeningProgress
from logicmap.store.backup import BackupSummary, canonical_dump, restore_archive, write_archive
from logicmap.store.database import Store, create_store, open_store, safe_location
from logicmap.synthesis import LogicModel, ModelDiff, ModelFilter
from logicmap.synthesis import snapshot as model_snapshot

# --- stage cores for dataset-level work (the benchmarks): no project involved ---
from logicmap.coding.evaluate import GROUPS as CODING_GROUPS
from logicmap.coding.evaluate import evaluate as evaluate_suggestions
from logicmap.coding.evaluate import f1_intervals as suggestion_f1_intervals
from logicmap.resampling import ratio_interval
from logicmap.coding.evaluate import gold_codes
from logicmap.coding.feedback import MIN_STUDIES as MIN_CODED_STUDIES, Feedback, feedback_from_labels
from logicmap.coding.suggest import suggest
from logicmap.coding.suggestion_model import SuggestionModel
from logicmap.coding.semantic_adapt import adapt as adapt_suggestion_model, standardise as standardise_suggestion_model
from logicmap.coding.aligned import AlignedModel, align as align_codebooks
from logicmap.coding.semantic_model import SemanticModel, default_model as default_suggestion_model
from logicmap.coding.semantic_rank import RankModel, rank_role, tune as tune_rank_model, tuning_sets as rank_tuning_sets
from logicmap.coding.role_model import PACKAGED_FILE as PACKAGED_ROLE_FILE, packaged_lines as packaged_role_lines
from logicmap.dedupe.engine import InProcessEngine
from logicmap.dedupe.backends import local_spark, make_engine, spark_engine
from logicmap.dedupe.merge import merge_cluster
from logicmap.records.export import write_records
from logicmap.records.normalise import normalise_authors, normalise_record
from logicmap.records.reading import iter_parsed, open_file, prepare_file
from logicmap.records.record import ParsedRecord, Record
from logicmap.report.interactive import logic_model_files, logic_model_html
from logicmap.report.crossings import straight_line_crossings
from logicmap.report.model_pages import logic_model_pages
from logicmap.report.model_svg import logic_model_svg, svg_print_fit
from logicmap.screening.dataset import load_labelled
from logicmap.screening.classifiers import make_classifier
from logicmap.screening.embeddings import EmbeddingCache, EmbeddingFeatures
from logicmap.screening.engine import ActiveLearner
from logicmap.screening.presets import FUSION_ENGINE, INTERIM_ABOVE, INTERIM_ENGINE, default_engine, resolve_engine
from logicmap.screening.features import make_features, stack_tfidf_and_embeddings
from logicmap.screening.metrics import relevant_needed, summarise
from logicmap.screening import stopping_rules
from logicmap.screening.stopping import StopReport
from logicmap.screening.simulation import draw_priors, simulate
from logicmap.synthesis import Study, build_model, design_family, studies_from_labelled

#: Every direction a coding may take: an effect's, then a moderator's.
CODING_DIRECTIONS: tuple[str, ...] = (*DIRECTIONS, *MODERATOR_DIRECTIONS)

__all__ = [
    # the project and its values
    "Agreement", "BackupSummary", "CODING_DIRECTIONS", "Code", "EvidenceSpan", "Codebook", "Conflict", "DEFAULT_EXCLUSION_REASONS", "Decision",
    "BackgroundRanking", "Decided", "DedupeRunInfo", "FullTextOrder", "FullTextProgress", "FullTextStage", "MAX_FULLTEXT_BYTES", "GENERIC_EXCLUSION_REASONS", "embedded_codebooks",
    "DedupeSettings", "DedupeSummary", "FileResult", "ImportReport", "LogicModel", "ModelDiff", "ModelFilter",
    "RecordOrigin", "Review", "ReviewItem", "ScreeningCard", "ScreeningProgress", "ScreeningService",
    "INTERIM_ABOVE", "INTERIM_ENGINE", "Interim", "Preparing", "ScreeningSession", "TeamProgress", "TeamScreening", "TeamSettings",
    "SimulationRun", "StopReport", "SkipEntry", "SourceSummary", "add_code", "load_codebook", "merge_codes",
    "model_snapshot", "rename_code", "save_codebook", "simulate_dataset", "split_code", "suggest_file",
    # web accounts
    "Account", "AccountsStage", "AuditEntry", "ROLES", "SessionInfo",
    # errors
    "AccountError", "CodebookChangeRefused", "CodebookError", "CodingError", "DedupeError", "ExportError", "ImportFormatError", "ImportRefused", "LogicmapError",
    "NotFoundError", "ScreeningDataError", "ScreeningError", "SpanError", "StoreError",
    # stage cores for dataset-level work
    "ActiveLearner", "ReviewerQueue", "CODING_GROUPS", "EmbeddingCache", "EmbeddingFeatures", "FUSION_ENGINE", "Feedback",
    "InProcessEngine", "MIN_CODED_STUDIES", "ParsedRecord", "Record", "SemanticModel", "Study", "adapt_suggestion_model",
    "default_suggestion_model", "AlignedModel", "align_codebooks", "standardise_suggestion_model", "RankModel", "rank_role", "tune_rank_model", "rank_tuning_sets", "PACKAGED_ROLE_FILE", "packaged_role_lines", "SuggestionModel", "build_model", "default_engine",
    "draw_priors", "evaluate_suggestions", "suggestion_f1_intervals", "ratio_interval", "feedback_from_labels", "gold_codes", "iter_parsed", "load_labelled",
    "logic_model_html", "logic_model_pages", "logic_model_svg", "svg_print_fit", "straight_line_crossings",
    "make_classifier", "make_features", "merge_cluster", "normalise_authors", "normalise_record", "open_file",
    "local_spark", "logic_model_files", "make_engine", "prepare_file", "spark_engine", "resolve_engine", "simulate", "stack_tfidf_and_embeddings", "stopping_rules", "studies_from_labelled", "design_family",
    "relevant_needed", "suggest", "summarise", "write_records",
]


class Review:
    """One review project and its stages.

    Open an existing project with :meth:`open`, start one with :meth:`create`;
    close it (or use ``with``) to release the database connections.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        # each stage sees only the stages before it: data flows one way
        self.records = RecordsStage(store)
        self.codebook = CodebookStage(store)
        self.dedupe = DedupeStage(store, records=self.records)
        self.screening = ScreeningStage(store, dedupe=self.dedupe, records=self.records, codebook=self.codebook)
        self.coding = CodingStage(store, screening=self.screening, codebook=self.codebook)
        self.fulltext = FullTextStage(store, screening=self.screening, coding=self.coding)
        self.model = ModelStage(store, records=self.records, screening=self.screening, coding=self.coding,
                                codebook=self.codebook)
        self.report = ReportStage(store, records=self.records, dedupe=self.dedupe, screening=self.screening,
                                  coding=self.coding, codebook=self.codebook, model=self.model)
        self.accounts = AccountsStage(store)  # the web app's users and roles (no stage depends on it)

    @classmethod
    def open(cls, location: str | Path) -> Review:
        """Open the project at ``location`` (SQLite path or PostgreSQL URL), migrating it if needed."""
        return cls(open_store(location))

    @classmethod
    def create(cls, location: str | Path, *, name: str | None = None, codebook: Codebook | str | Path | None = None,
               exclusion_reasons: list[str] | None = None) -> Review:
        """Create a new project at ``location``; raises :class:`StoreError` if one is there.

        ``codebook`` (a Codebook, a YAML file or an embedded name such as ``"realist-cmo"``; default
        the recovery codebook) and ``exclusion_reasons`` (default: the recovery list, or a field-neutral
        one with another codebook) are checked before anything is created.
        """
        chosen = codebook if isinstance(codebook, Codebook) or codebook is None else load_codebook(codebook)
        if exclusion_reasons is None and chosen is not None and chosen.name != "recovery":
            exclusion_reasons = list(GENERIC_EXCLUSION_REASONS)
        reasons = clean_reasons(exclusion_reasons) if exclusion_reasons is not None else None
        review = cls(create_store(location, name=name))
        if chosen is not None:
            review.codebook.save(chosen, note=f"init {chosen.name}")
        if reasons is not None:
            review.screening.set_exclusion_reasons(reasons)
        return review

    @classmethod
    def restore(cls, archive: str | Path, location: str | Path) -> Review:
        """Restore a :meth:`backup` archive into a new project at ``location`` (SQLite path or empty PostgreSQL)."""
        return cls(restore_archive(archive, location))

    def backup(self, archive: str | Path) -> BackupSummary:
        """Write the whole project (records, original files, decisions, codes, settings ...) to one zip archive."""
        return write_archive(self._store, archive)

    def canonical_dump(self) -> bytes:
        """The project as canonical text: equal for equal projects on SQLite and PostgreSQL."""
        return canonical_dump(self._store)

    @property
    def location(self) -> str:
        """Where the project is, with any password masked (safe to print)."""
        return safe_location(self._store.location)

    @property
    def name(self) -> str:
        """The project's name."""
        return self._store.setting("name") or "Review"

    def close(self) -> None:
        """Release the database connections."""
        self._store.close()

    def __enter__(self) -> Review:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
