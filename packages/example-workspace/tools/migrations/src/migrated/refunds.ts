// Migrated from src/legacy/refunds.ts: logger.info replaces console.log.
