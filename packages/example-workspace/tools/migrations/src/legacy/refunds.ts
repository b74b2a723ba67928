// Legacy logging: console.log with string concatenation.
export function logRefund(id: string): void {
  console.log('refund ' + id);
}
