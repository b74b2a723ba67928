// Migrated from src/legacy/orders.ts: logger.info replaces console.log.
