// Legacy logging: console.log with string concatenation.
export function logOrder(id: string): void {
  console.log('order ' + id);
}
