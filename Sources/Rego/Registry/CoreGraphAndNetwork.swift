/// Graph traversal and the network builtins (denied unless capabilities allow the network).
extension CoreBuiltins {
    static func edges(_ graph: ObjectValue, _ node: Value) -> [Value] {
        guard let e = graph[node] else { return [] }
        switch e {
        case .set(let s): return s.elements
        case .array(let a): return a
        default: return []
        }
    }

    static let graphAndNetwork: [Builtin] = [
        Builtin("graph.reachable", [.object(.any, .any), .anyOf([.set(.any), .array(.any)])], .set(.any)) { a, _ in
            let g = try a.object(0)
            var reached = SetValue()
            var queue = elements(a[1]) ?? []
            while let n = queue.popLast() {
                guard g[n] != nil, !reached.contains(n) else { continue }
                reached.insert(n)
                queue.append(contentsOf: edges(g, n))
            }
            return .set(reached)
        },
        Builtin("graph.reachable_paths", [.object(.any, .any), .anyOf([.set(.any), .array(.any)])], .set(.array(.any))) { a, _ in
            let g = try a.object(0)
            var paths = SetValue()
            // OPA's walk: a node counts as reached when it is on the path or was entered earlier
            // from one of the path's nodes; reaching it again ends the path there.
            func dfs(_ n: Value, _ path: [Value], _ reached: Set<Value>) {
                guard g[n] != nil else { paths.insert(.array(path)); return }
                let here = path + [n]
                var local = reached
                local.insert(n)
                let next = edges(g, n)
                if next.isEmpty { paths.insert(.array(here)); return }
                for m in next {
                    if local.contains(m) {
                        paths.insert(.array(here))
                    } else {
                        local.insert(m)
                        dfs(m, here, local)
                    }
                }
            }
            for start in elements(a[1]) ?? [] where g[start] != nil { dfs(start, [], []) }
            return .set(paths)
        },
        Builtin("http.send", [.object(.string, .any)], .object(.any, .any), network: true) { a, ctx in
            let req = try a.object(0)
            let missing = ["method", "url"].filter { req[$0] == nil }
            if !missing.isEmpty {
                throw BuiltinError.type("missing required request parameters(s): {" + missing.map { "\"\($0)\"" }.joined(separator: ", ") + "}")
            }
            throw BuiltinError.builtin("network access is denied by the engine's capabilities")
        },
        Builtin("net.lookup_ip_addr", [.string], .set(.string), network: true) { a, _ in
            _ = try a.string(0)
            throw BuiltinError.builtin("network access is denied by the engine's capabilities")
        },
    ]
}
