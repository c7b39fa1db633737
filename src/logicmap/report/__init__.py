"""Report stage: PRISMA 2020 flow, logic-model renderings, tables and exports."""
