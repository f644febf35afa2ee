import Foundation
import Seamless
import SeamlessCrypto
import SeamlessTestSupport
import Testing

@Suite("Audit log durability")
struct AuditDurabilityTests {
    @Test("a process killed with SIGKILL in the middle of appends loses no acknowledged entry, and its log verifies")
    func killedMidAppend() async throws {
        let dir = try TemporaryDirectory()
        let database = dir.path("node.sqlite")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtProduct("audit-append-probe"))
        process.arguments = [database]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var acknowledged: [Int: String] = [:]
        var buffer = Data()
        let handle = output.fileHandleForReading
        let deadline = Date().addingTimeInterval(60)
        while acknowledged.count < 3000 && Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let sequence = Int(parts[0]) { acknowledged[sequence] = String(parts[1]) }
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(acknowledged.count >= 3000, "the probe acknowledged \(acknowledged.count) appends")

        let store = try SQLiteStore(path: database)
        let hashes = try await store.auditLeafHashes()
        let entries = try await store.auditEntries(0..<hashes.count)
        #expect(entries.count == hashes.count)
        for (sequence, entry) in acknowledged {
            #expect(sequence < entries.count, "acknowledged entry \(sequence) is missing")
            if sequence < entries.count {
                #expect(String(decoding: entries[sequence], as: UTF8.self) == entry, "entry \(sequence) differs")
            }
        }
        // Every stored leaf hash is the hash of its entry, and the log opens and goes on appending.
        #expect(zip(entries, hashes).allSatisfy { MerkleHash.leaf($0) == $1 })
        let log = try await AuditLog(store: store, node: "gov.probe", signer: try PrivateKey.generate(.ed25519))
        #expect(try await log.append(Array("{\"after\":\"restart\"}".utf8)) == entries.count)
        #expect(
            try await log.root(size: entries.count)
                == MerkleTree(leafHashes: entries.map { MerkleHash.leaf($0) }).root())
    }
}
