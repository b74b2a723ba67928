// Migrated from src/legacy/invoices.ts: logger.info replaces console.log.
