/// A term: the smallest piece of Rego syntax that denotes a value.
public struct Term: Sendable {
    /// What the term is.
    public var kind: Kind
    /// Where it starts.
    public var location: Location

    /// A term.
    public init(_ kind: Kind, _ location: Location) { self.kind = kind; self.location = location }

    /// The kinds of term.
    public indirect enum Kind: Sendable {
        /// A scalar constant (null, boolean, number, string).
        case value(Value)
        /// A variable by name (before resolution).
        case variable(String)
        /// A resolved local variable: slot in the frame, plus the source name.
        case local(Int, String)
        /// A reference: a head term followed by path terms (`.a` is the string "a").
        case ref(Term, [Term])
        /// A call of a function by dotted name, with operands.
        case call(String, [Term])
        /// An array literal.
        case array([Term])
        /// A set literal.
        case set([Term])
        /// An object literal.
        case object([(Term, Term)])
        /// `[term | body]`.
        case arrayComprehension(Term, [Expr])
        /// `{term | body}`.
        case setComprehension(Term, [Expr])
        /// `{key: value | body}`.
        case objectComprehension(Term, Term, [Expr])
        /// `$"..."` string interpolation: literal pieces and embedded terms.
        case template([TemplatePart])
    }

    /// A piece of a template string.
    public enum TemplatePart: Sendable {
        /// Literal text.
        case text(String)
        /// An embedded expression.
        case term(Term)
    }

    /// The variable name when this is a plain variable.
    var variableName: String? {
        switch kind {
        case .variable(let n): return n
        case .local(_, let n): return n
        default: return nil
        }
    }

    /// The constant value when this is a scalar or a ground composite of scalars.
    var constantValue: Value? {
        switch kind {
        case .value(let v): return v
        case .array(let items):
            var out: [Value] = []
            for i in items { guard let v = i.constantValue else { return nil }; out.append(v) }
            return .array(out)
        case .set(let items):
            var out: [Value] = []
            for i in items { guard let v = i.constantValue else { return nil }; out.append(v) }
            return .set(SetValue(out))
        case .object(let pairs):
            var out: [(Value, Value)] = []
            for (k, v) in pairs {
                guard let kv = k.constantValue, let vv = v.constantValue else { return nil }
                out.append((kv, vv))
            }
            return .object(ObjectValue(out))
        default: return nil
        }
    }
}

/// A `with` modifier: `with target as value`.
public struct WithModifier: Sendable {
    /// The target (`input...`, `data...` or a function name).
    public var target: Term
    /// The replacement.
    public var value: Term
    /// Where it is.
    public var location: Location
}

/// An expression (a literal in OPA's terms): one line of a rule body.
public struct Expr: Sendable {
    /// The kinds of expression.
    public indirect enum Kind: Sendable {
        /// A term whose value must be defined and not `false`.
        case term(Term)
        /// `a = b`.
        case unify(Term, Term)
        /// `a := b`.
        case assign(Term, Term)
        /// `some x, y`.
        case someDecl([Term])
        /// `some k, v in c` / `some v in c`.
        case someIn(key: Term?, value: Term, collection: Term)
        /// `every k, v in d { body }`.
        case every(key: Term?, value: Term, domain: Term, body: [Expr])
    }

    /// What the expression is.
    public var kind: Kind
    /// Whether it is under `not`.
    public var negated: Bool
    /// `with` modifiers.
    public var with: [WithModifier]
    /// Where it starts.
    public var location: Location
}

/// A rule: head (ref, key, value, arguments), body and else chain.
public struct Rule: Sendable {
    /// The kind of rule.
    public enum Kind: Sendable {
        /// A single-value rule (complete document or ref-head object member).
        case single
        /// A multi-value rule (`contains`).
        case multi
        /// A function.
        case function
    }

    /// What kind.
    public var kind: Kind
    /// The head reference, relative to the package: first the rule name, then path terms.
    public var ref: [Term]
    /// Function arguments.
    public var args: [Term]
    /// The `contains` element for multi-value rules.
    public var key: Term?
    /// The value (true when omitted).
    public var value: Term?
    /// Whether `:=` was used in the head.
    public var assign: Bool
    /// Whether this is a `default` rule.
    public var isDefault: Bool
    /// The body (empty = always true).
    public var body: [Expr]
    /// `else` clauses, in order.
    public var elseChain: [ElseClause]
    /// Where the rule starts.
    public var location: Location
    /// Number of variable slots a frame for this rule needs (set by the compiler).
    public var slotCount: Int = 0

    /// One `else` clause.
    public struct ElseClause: Sendable {
        /// Its value (true when omitted).
        public var value: Term?
        /// Its body.
        public var body: [Expr]
        /// Where it starts.
        public var location: Location
    }

    /// The rule's name (first segment of the head).
    public var name: String { ref.first?.variableName ?? "" }
}

/// An import.
public struct Import: Sendable {
    /// The imported path as segments: root (`data`/`input`/`future`/`rego`) then keys.
    public var path: [String]
    /// `as` alias.
    public var alias: String?
    /// Where it is.
    public var location: Location

    /// The name the import binds in rule bodies.
    public var boundName: String? { alias ?? (path.count > 1 ? path.last : nil) }
}

/// A parsed module.
public struct Module: Sendable {
    /// File name.
    public var file: String
    /// Package path (without the leading `data`).
    public var package: [String]
    /// Where the package clause is.
    public var packageLocation: Location
    /// Imports.
    public var imports: [Import]
    /// Rules in source order.
    public var rules: [Rule]
    /// `# METADATA` annotations in source order.
    public var annotations: [Annotation] = []
}
