import ArgumentParser
import Enforcement
import Foundation
import Gateway
import Storage
import Yams

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the decision service."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to bind (default 127.0.0.1, or $ASTRAL_HOST).") var host: String?
    @Option(help: "Port (default 8080, or $ASTRAL_PORT; 0 picks a free port).") var port: Int?
    @Option(help: "Database URL: sqlite:PATH or a directory (default: the data directory, or $ASTRAL_DATABASE_URL).") var database: String?
    @Option(help: "Optional YAML/JSON config file (or $ASTRAL_CONFIG).") var config: String?
    @Option(help: "Largest request body in bytes (default 1048576).") var maxBodyBytes: Int?
    @Option(help: "Requests per second per API key (default 1000).") var rateLimit: Double?
    @Option(help: "Token bucket size per API key (default 2000).") var rateBurst: Double?
    @Option(help: "Per-request decision budget in milliseconds (default 50).") var budgetMs: Double?
    @Option(help: "Seconds an authenticated key is cached (default 5).") var keyCacheSeconds: Double?
    @Option(help: "Log level: trace, debug, info, notice, warning, error (default info).") var logLevel: String?
    @Flag(help: .hidden) var bareBench = false

    func run() async throws {
        let settings = try ServeSettings.resolve(command: self, environment: ProcessInfo.processInfo.environment)
        if bareBench {
            try await Gateway.runBareBenchmark(configuration: settings.gateway, logLevel: settings.logLevel) { address in
                OfflineStore.say("listening on http://\(address) (bare benchmark route)")
            }
            return
        }
        let (database, ledger) = try OfflineStore.mapErrors { () -> (AppDatabase, LedgerStore) in
            let database = try AppDatabase(dataDirectory: settings.databaseDirectory)
            let signer = try InstanceKey.loadOrCreate(dataDirectory: settings.databaseDirectory, instanceName: settings.instanceName)
            return (database, LedgerStore(database: database, signer: signer))
        }
        let services = GatewayServices(
            configuration: settings.gateway, runner: database, scanner: try Runtime.scanner(), engine: Runtime.engine(),
            ledger: StoreLedgerReader(store: ledger))
        let tenant = settings.gateway.defaultTenant
        if try await services.governance.ensureTenant(id: tenant, actor: "serve") {
            let (material, _) = try await services.governance.createKey(tenant: tenant, role: .admin, name: "bootstrap admin", actor: "serve")
            OfflineStore.say("created tenant '\(tenant)' in \(settings.databaseDirectory)")
            OfflineStore.say("admin key (shown once): \(material.rawKey)")
        }
        try await services.enforcer.warmUp(tenant: tenant)
        let upstream: UpstreamClient
        do {
            upstream = UpstreamClient(configuration: try ProxyConfiguration.fromEnvironment(ProcessInfo.processInfo.environment))
        } catch {
            throw CommandFailure("proxy configuration: \(error)")
        }
        do {
            try await Gateway.run(services: services, logLevel: settings.logLevel, upstream: upstream) { address in
                OfflineStore.say("listening on http://\(address)")
            }
        } catch {
            try? await upstream.shutdown()
            throw error
        }
        try await upstream.shutdown()
    }
}

/// The detector and policy engine this build links.
enum Runtime {
    static func scanner() throws -> any ContentScanner {
        do { return try DetectorScanner() } catch { throw CommandFailure("the detector could not start: \(error)") }
    }
    static func engine() -> any PolicyEngine { RegoPolicyEngine() }
}

/// The resolved settings of `astral serve`: flags > `ASTRAL_*` environment > config file > defaults.
struct ServeSettings {
    var gateway: GatewayConfiguration
    var databaseDirectory: String
    var logLevel: String
    var instanceName: String?

    static func resolve(command: ServeCommand, environment: [String: String]) throws -> ServeSettings {
        var file: [String: Any] = [:]
        if let path = command.config ?? environment["ASTRAL_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CommandFailure("cannot read config file \(path)")
            }
            do {
                guard let parsed = try Yams.load(yaml: text) as? [String: Any] else {
                    throw CommandFailure("config file \(path) must hold a mapping of settings")
                }
                file = parsed
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure("config file \(path) is not valid YAML or JSON")
            }
            let known: Set<String> = [
                "host", "port", "database", "max_body_bytes", "rate_limit", "rate_burst", "budget_ms",
                "key_cache_seconds", "log_level", "default_tenant", "instance_name",
            ]
            if let unknown = file.keys.first(where: { !known.contains($0) }) {
                throw CommandFailure("config file \(path): unknown setting '\(unknown)'")
            }
        }
        func string(_ flag: String?, _ env: String, _ key: String) -> String? {
            if let flag { return flag }
            if let value = environment[env], !value.isEmpty { return value }
            if let value = file[key] { return "\(value)" }
            return nil
        }
        func number<T: LosslessStringConvertible>(_ flag: T?, _ env: String, _ key: String, _ type: T.Type) throws -> T? {
            if let flag { return flag }
            guard let raw = string(nil, env, key) else { return nil }
            guard let value = T(raw) else { throw CommandFailure("\(key) (\(env)) must be a number, got '\(raw)'") }
            return value
        }
        var gateway = GatewayConfiguration(dataDirectory: command.global.resolvedDataDirectory)
        if let host = string(command.host, "ASTRAL_HOST", "host") { gateway.host = host }
        if let port = try number(command.port, "ASTRAL_PORT", "port", Int.self) {
            guard (0...65535).contains(port) else { throw CommandFailure("port must be in 0...65535") }
            gateway.port = port
        }
        if let value = try number(command.maxBodyBytes, "ASTRAL_MAX_BODY_BYTES", "max_body_bytes", Int.self) {
            guard value > 0 else { throw CommandFailure("max_body_bytes must be positive") }
            gateway.maxBodyBytes = value
        }
        if let value = try number(command.rateLimit, "ASTRAL_RATE_LIMIT", "rate_limit", Double.self) {
            guard value > 0 else { throw CommandFailure("rate_limit must be positive") }
            gateway.rateLimitPerSecond = value
        }
        if let value = try number(command.rateBurst, "ASTRAL_RATE_BURST", "rate_burst", Double.self) {
            guard value >= 1 else { throw CommandFailure("rate_burst must be at least 1") }
            gateway.rateLimitBurst = value
        }
        if let value = try number(command.budgetMs, "ASTRAL_BUDGET_MS", "budget_ms", Double.self) {
            guard value > 0 else { throw CommandFailure("budget_ms must be positive") }
            gateway.decisionBudget = .microseconds(Int64(value * 1000))
        }
        if let value = try number(command.keyCacheSeconds, "ASTRAL_KEY_CACHE_SECONDS", "key_cache_seconds", Double.self) {
            guard value >= 0 else { throw CommandFailure("key_cache_seconds must not be negative") }
            gateway.keyCacheSeconds = value
        }
        if let tenant = string(nil, "ASTRAL_DEFAULT_TENANT", "default_tenant") {
            guard Identifiers.isValid(tenant) else { throw CommandFailure("default_tenant is not a valid tenant id") }
            gateway.defaultTenant = tenant
        }
        let instanceName = string(nil, "ASTRAL_INSTANCE_NAME", "instance_name")
        if let instanceName { gateway.instanceName = instanceName }
        var directory = gateway.dataDirectory
        if let url = string(command.database, "ASTRAL_DATABASE_URL", "database") {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                throw CommandFailure("PostgreSQL databases are not supported by this build; use sqlite:DIR")
            }
            directory = url.hasPrefix("sqlite:") ? String(url.dropFirst("sqlite:".count)) : url
        }
        var level = "info"
        if let raw = string(command.logLevel, "ASTRAL_LOG_LEVEL", "log_level") {
            guard Gateway.logLevels.contains(raw) else { throw CommandFailure("log_level must be trace, debug, info, notice, warning, error or critical") }
            level = raw
        }
        return ServeSettings(gateway: gateway, databaseDirectory: directory, logLevel: level, instanceName: instanceName)
    }
}

/// Opening the data directory for the offline commands, and their output.
enum OfflineStore {
    static func open(_ global: GlobalOptions) throws -> GovernanceService {
        let database = try mapErrors { try AppDatabase(dataDirectory: global.resolvedDataDirectory) }
        return GovernanceService(runner: database, policies: PolicyRegistry(engine: Runtime.engine(), runner: database))
    }

    static func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as GovernanceError {
            throw CommandFailure(error.detail)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("database error: \(type(of: error))")
        }
    }

    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as GovernanceError {
            throw CommandFailure(error.detail)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("database error: \(String(describing: error).prefix(200))")
        }
    }

    static func printJSON(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data((value.serialized() + "\n").utf8))
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
