// The returns page: pick items, give a reason, download the label.
