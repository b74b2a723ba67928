// Legacy logging: console.log with string concatenation.
export function logInvoice(id: string): void {
  console.log('invoice ' + id);
}
