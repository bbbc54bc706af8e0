/// The `Gateway` module. See README for its role.
public enum GatewayModule {}
