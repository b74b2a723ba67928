// POST /returns, GET /returns over ReturnRequest.
