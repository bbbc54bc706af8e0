/// The `Enforcement` module. See README for its role.
public enum EnforcementModule {}
