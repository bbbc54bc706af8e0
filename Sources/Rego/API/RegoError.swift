import Synchronization

/// A position in a Rego source file.
///
/// The file name is interned (a small number into a process-wide table), so a location is
/// plain data: copying terms during evaluation costs no reference counting.
public struct Location: Sendable, Hashable, CustomStringConvertible {
    /// The interned file name.
    private var fileID: Int32
    /// 1-based line.
    public var row: Int
    /// 1-based column.
    public var col: Int

    /// File name as given to the compiler (e.g. `test-0.rego`).
    public var file: String {
        get { FileNames.name(fileID) }
        set { fileID = FileNames.id(newValue) }
    }

    /// A location.
    public init(file: String, row: Int, col: Int) {
        self.fileID = FileNames.id(file); self.row = row; self.col = col
    }

    /// `file:row`, the form OPA prints in error lines.
    public var description: String { "\(file):\(row)" }
}

/// The process-wide table of file names that locations refer to.
enum FileNames {
    private struct Table {
        var ids: [String: Int32] = [:]
        var names: [String] = []
        var last: (String, Int32)? = nil
    }
    private static let table = Mutex(Table())

    /// The number of a file name (added on first use).
    static func id(_ name: String) -> Int32 {
        table.withLock { t in
            if let (n, i) = t.last, n == name { return i }
            if let i = t.ids[name] { t.last = (name, i); return i }
            let i = Int32(t.names.count)
            t.names.append(name)
            t.ids[name] = i
            t.last = (name, i)
            return i
        }
    }

    /// The file name with a number.
    static func name(_ id: Int32) -> String {
        table.withLock { t in Int(id) < t.names.count ? t.names[Int(id)] : "" }
    }
}

/// An error from parsing, compiling or evaluating Rego, with OPA's code and wording.
public struct RegoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// OPA's error code, e.g. `rego_parse_error`, `eval_conflict_error`.
    public var code: String
    /// The message, worded as OPA words it.
    public var message: String
    /// Where the problem is, when known.
    public var location: Location?

    /// An error.
    public init(code: String, message: String, location: Location? = nil) {
        self.code = code; self.message = message; self.location = location
    }

    /// `file:row: code: message`, OPA's one-line form.
    public var description: String {
        if let location { return "\(location.file):\(location.row): \(code): \(message)" }
        return "\(code): \(message)"
    }

    /// Error codes used by the engine (OPA's).
    public enum Code {
        /// Syntax error.
        public static let parse = "rego_parse_error"
        /// Compile-time type error.
        public static let type = "rego_type_error"
        /// Unsafe variable.
        public static let unsafeVar = "rego_unsafe_var_error"
        /// Recursive rule.
        public static let recursion = "rego_recursion_error"
        /// Other compile error.
        public static let compile = "rego_compile_error"
        /// Conflicting outputs at evaluation.
        public static let conflict = "eval_conflict_error"
        /// Type error at evaluation.
        public static let evalType = "eval_type_error"
        /// Builtin failure at evaluation.
        public static let evalBuiltin = "eval_builtin_error"
        /// Evaluation cancelled or over budget.
        public static let cancel = "eval_cancel_error"
        /// Evaluation-time error without a more specific code.
        public static let internalError = "eval_internal_error"
    }
}

/// Compilation failed: every error found, capped at 10 like OPA.
public struct CompileFailure: Error, Sendable, CustomStringConvertible {
    /// The errors, in source order.
    public var errors: [RegoError]

    /// A failure from a list of errors.
    public init(errors: [RegoError]) { self.errors = Array(errors.prefix(10)) }

    public var description: String {
        if errors.count == 1 { return "1 error occurred: " + errors[0].description }
        return "\(errors.count) errors occurred:\n" + errors.map(\.description).joined(separator: "\n")
    }
}
