"""Money: fee arrangements, fees collected, accruals and payouts, payments received."""
