export function createIntent(amount: number) { return { id: 'pi_1', amount }; }
