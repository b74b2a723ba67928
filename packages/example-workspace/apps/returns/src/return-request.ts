export interface ReturnRequest { orderId: string; items: string[]; reason: string; createdAt: string }
