import ArgumentParser
import Foundation

/// How a Seamless command ends when it cannot do what was asked. The exit codes are documented in the
/// README: 0 ok, 1 refused or findings, 2 usage, 3 input/output.
public struct CommandFailure: Error, CustomStringConvertible {
    /// The process exit code.
    public let exitCode: Int32
    /// What to print on standard error.
    public let message: String

    /// The input was refused (a bad signature, a policy denial): exit 1.
    public static func refused(_ message: String) -> CommandFailure { CommandFailure(exitCode: 1, message: message) }
    /// The command line is wrong: exit 2.
    public static func usage(_ message: String) -> CommandFailure { CommandFailure(exitCode: 2, message: message) }
    /// A file could not be read or written: exit 3.
    public static func io(_ message: String) -> CommandFailure { CommandFailure(exitCode: 3, message: message) }

    public var description: String { message }
}

extension ParsableCommand {
    /// Runs the command tree with Seamless's exit codes: usage errors exit 2 (not ArgumentParser's 64),
    /// ``CommandFailure`` exits with its own code after printing its message to standard error.
    public static func runWithSeamlessExitCodes() async -> Never {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
