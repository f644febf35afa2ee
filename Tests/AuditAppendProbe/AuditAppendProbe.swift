import Foundation
import Seamless
import SeamlessCrypto

/// Appends audit entries from several concurrent writers forever, printing `<sequence> <entry>` for each
/// acknowledged append, so a test can kill it with SIGKILL and check that nothing acknowledged was lost.
///
/// usage: audit-append-probe DATABASE
@main
struct AuditAppendProbe {
    static func main() async throws {
        guard CommandLine.arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: audit-append-probe DATABASE\n".utf8))
            exit(2)
        }
        let log = try await AuditLog(
            store: try SQLiteStore(path: CommandLine.arguments[1]), node: "gov.probe",
            signer: try PrivateKey.generate(.ed25519)
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var count = 0
                    while true {
                        let entry = "{\"count\":\(count),\"writer\":\(writer)}"
                        let sequence = try await log.append(Array(entry.utf8))
                        // One write per line: unbuffered, and atomic on a pipe, so the test sees each
                        // acknowledgement as soon as the append returned.
                        FileHandle.standardOutput.write(Data("\(sequence) \(entry)\n".utf8))
                        count += 1
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
