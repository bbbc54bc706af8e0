/// The `Rego` module. See README for its role.
public enum RegoModule {}
