/// The `Ledger` module. See README for its role.
public enum LedgerModule {}
