import Foundation
import Logging
import PostgresNIO

/// Where a PostgreSQL database is: parsed from `postgres://user:password@host:port/database?sslmode=…`.
public struct PostgresLocation: Sendable, Hashable {
    /// The server host.
    public var host: String
    /// The server port.
    public var port: Int
    /// The login role.
    public var user: String
    /// The password, if any.
    public var password: String?
    /// The database name.
    public var database: String

    /// Parses a `postgres://` or `postgresql://` URL; the error names what is wrong, never the password.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw StorageError(.invalidConfiguration, "a PostgreSQL URL starts with postgres:// (or postgresql://)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StorageError(.invalidConfiguration, "the PostgreSQL URL has no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StorageError(.invalidConfiguration, "the PostgreSQL URL has no user (postgres://USER:PASSWORD@HOST/DB)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw StorageError(.invalidConfiguration, "the PostgreSQL URL has no database name (postgres://…/DB)")
        }
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"), ("sslmode", "prefer"), ("sslmode", "allow"): continue
            case ("sslmode", "require"):
                throw StorageError(.invalidConfiguration, "sslmode=require is not supported by this build yet (connect over loopback or a private network)")
            case ("sslmode", let value):
                throw StorageError(.invalidConfiguration, "unsupported sslmode '\(value)' (use disable or require)")
            default:
                throw StorageError(.invalidConfiguration, "unsupported PostgreSQL URL parameter '\(item.name)'")
            }
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: .disable)
        configuration.options.maximumConnections = 16
        return configuration
    }
}

/// A pool of connections to one PostgreSQL database, with transactions bound
/// to a tenant (`set_config('astral.tenant', $1, true)`, i.e. `SET LOCAL`).
public final class PostgresDatabase: Sendable {
    /// The connection pool.
    let client: PostgresClient
    private let runner: Task<Void, Never>
    let logger: Logger

    /// Connects (lazily) to `location`; call `shutdown()` when done.
    public init(_ location: PostgresLocation, logger: Logger = Logger(label: "astral.postgres")) {
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Closes every connection.
    public func shutdown() async {
        runner.cancel()
        _ = await runner.value
    }

    /// Runs `body` in one transaction. With `tenant`, the transaction first sets
    /// `astral.tenant` for itself only, so row-level security admits that
    /// tenant's rows and no others; without it, tenant-owned tables show no rows.
    func transaction<T>(
        tenant: String?, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    if let tenant {
                        try await connection.query("SELECT set_config('astral.tenant', \(tenant), true)", logger: logger)
                    }
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    /// The SQLSTATE of a server error, if `error` is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Storage and governance errors pass through; a PostgreSQL error becomes a
    /// `StorageError` naming its SQLSTATE (never the statement or its arguments).
    static func translate(_ error: any Error) -> any Error {
        if error is StorageError || error is GovernanceError || error is CancellationError { return error }
        if let state = sqlState(error) {
            return StorageError(.database, "PostgreSQL refused a statement (SQLSTATE \(state))")
        }
        if let psql = error as? PSQLError {
            return StorageError(.database, "PostgreSQL is unavailable (\(psql.code.description))")
        }
        return StorageError(.database, "PostgreSQL is unavailable")
    }
}

extension PostgresConnection {
    /// All rows of `query`, random-access.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Runs `query`, discarding rows.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}
