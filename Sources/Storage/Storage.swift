/// The `Storage` module. See README for its role.
public enum StorageModule {}
