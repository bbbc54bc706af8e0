/// The `Detection` module. See README for its role.
public enum DetectionModule {}
