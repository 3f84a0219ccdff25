"""The CSV files of ``partnerbot import`` and ``export``: their columns, cells and rows
(docs: README, "CSV files"). ``storage.transfer`` reads and writes them."""
