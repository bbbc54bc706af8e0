/// The `Rego` module: a pure-Swift engine for OPA's policy language.
///
/// Stages: `Parser` (source → `Module`), `Compiler` (modules → `CompiledPolicy`),
/// `PreparedQuery` (query + policy, evaluated many times). No I/O happens here.
public enum RegoModule {}
