import ArgumentParser
import Foundation

/// The `astral` command: every capability of Astral behind one binary.
struct Astral: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "astral",
        abstract: "Self-hosted governance for an organisation's AI and cloud use.",
        subcommands: CommandRegistry.all
    )
}

/// Entry point that maps failures onto the exit statuses of CONTRACTS.md:
/// 0 success, 1 bad input or data, 2 usage error.
@main
enum Main {
    static func main() async {
        do {
            var command = try Astral.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data(("astral: " + failure.message + "\n").utf8))
            exit(failure.status)
        } catch {
            let code = Astral.exitCode(for: error)
            let message = Astral.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            // ArgumentParser reports usage problems as EX_USAGE (64); the contract says 2.
            if code == .validationFailure { exit(2) }
            exit(code.rawValue == 0 ? 1 : (code.rawValue == 64 ? 2 : code.rawValue))
        }
    }
}
