export const events = ['add_to_cart', 'begin_checkout'] as const;
