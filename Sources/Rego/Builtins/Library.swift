// The builtin library: each family declares `static let all: [Builtin]` in its
// own file under Builtins/ and is listed here. This file belongs to the builtin
// library; the registry (Registry/Builtin.swift) collects `library` with the core.

extension BuiltinRegistry {
    /// The library families (strings, regex, glob, time, net, encodings, crypto, ...).
    static var library: [Builtin] {
        StringBuiltins.all + PatternBuiltins.all + PatternIntersection.all + GoFormat.all + TimeBuiltins.all + NetBuiltins.all
            + EncodingBuiltins.all + ScalarBuiltins.all + CryptoBuiltins.all + DocumentBuiltins.all
            + ProviderBuiltins.all + SchemaBuiltins.all + GraphQLBuiltins.all + X509Builtins.all
    }
}
