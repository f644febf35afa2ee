import Foundation
import Seamless
import SeamlessTestSupport
import Testing

@Suite("exchange-node audit and exchange-audit verify, prove, check-proof")
struct AuditCLITests {
    @Test("a node's commands are logged; the exported bundle verifies; proofs check; tampering is found")
    func auditFlow() throws {
        let dir = try TemporaryDirectory()
        let path = try NodeCLITests.publicSecurityNode(dir)
        #expect(try node(["audit", "checkpoint", "--node", path]).stdoutText.hasPrefix("gov.public-security/audit\n"))
        #expect(
            try node(["consent", "grant", "--node", path, NodeCLITests.example("consent/consent-2026-000117.json")])
                .status == 0)
        let bundle = dir.path("bundle")
        let exported = try node(["audit", "export", "--node", path, "--out", bundle])
        #expect(exported.status == 0, "\(exported.stderr)")
        let verified = try audit(["verify", bundle, "--format", "json"])
        #expect(verified.status == 0, "\(verified.stdoutText)")
        let report = try JSONParser().parse(verified.stdout)
        let kinds = try String(contentsOfFile: bundle + "/entries.jsonl", encoding: .utf8)
        for kind in ["key-rotation", "catalog-revision", "consent-status"] {
            #expect(kinds.contains("\"kind\":\"\(kind)\""), "the log records \(kind)")
        }
        let size = Int(report["entries"]!.integerValue!)
        let proofPath = dir.path("proof.json")
        let proof = try audit(["prove", "inclusion", "--bundle", bundle, "--seq", "1"])
        #expect(proof.status == 0, "\(proof.stderr)")
        try Data(proof.stdout).write(to: URL(fileURLWithPath: proofPath))
        let checked = try audit([
            "check-proof", "--proof", proofPath, "--checkpoint", bundle + "/checkpoints/\(size).note", "--trust",
            bundle + "/trust.json",
        ])
        #expect(checked.status == 0, "\(checked.stderr)")

        var lines = kinds.split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "catalog-revision", with: "catalog-revisiom")
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: bundle + "/entries.jsonl", atomically: true, encoding: .utf8)
        let tampered = try audit(["verify", bundle])
        #expect(tampered.status == 1)
        #expect(tampered.stdoutText.contains("chain-broken (entries.jsonl, entry 1)"))
        let refusedProof = try audit(["prove", "inclusion", "--bundle", bundle, "--seq", "1"])
        #expect(refusedProof.status == 1)
        #expect(try audit(["verify", dir.path("missing")]).status == 3)
        let again = try node(["audit", "export", "--node", path, "--out", bundle])
        #expect(again.status == 1, "export never overwrites a bundle")
    }

    @Test("export --from writes a bundle that starts later and still verifies; check-proof names what is wrong")
    func exportFrom() throws {
        let dir = try TemporaryDirectory()
        let path = try NodeCLITests.publicSecurityNode(dir)
        #expect(try node(["audit", "checkpoint", "--node", path]).status == 0)
        #expect(
            try node(["consent", "grant", "--node", path, NodeCLITests.example("consent/consent-2026-000117.json")])
                .status == 0)
        let whole = dir.path("whole")
        #expect(try node(["audit", "export", "--node", path, "--out", whole]).status == 0)
        let size = try String(contentsOfFile: whole + "/entries.jsonl", encoding: .utf8).split(separator: "\n").count
        let later = dir.path("later")
        let exported = try node(["audit", "export", "--node", path, "--from", "2", "--out", later])
        #expect(
            exported.stdoutText.contains("\(size - 2) entries of gov.public-security/audit, from entry 2"),
            "\(exported.stderr)")
        #expect(FileManager.default.fileExists(atPath: later + "/prefix.json"))
        let verified = try audit(["verify", later])
        #expect(verified.status == 0, "\(verified.stdoutText)")
        let proof = try audit(["prove", "inclusion", "--bundle", later, "--seq", "\(size - 1)"])
        #expect(proof.status == 0, "\(proof.stderr)")
        let early = try audit(["prove", "inclusion", "--bundle", later, "--seq", "1"])
        #expect(early.status != 0 && early.stderr.contains("before entry 2"), "\(early.stderr)")
        let proofPath = dir.path("proof.json")
        try Data(proof.stdout).write(to: URL(fileURLWithPath: proofPath))
        // Checked against a checkpoint of another size, and with another entry than the one proved.
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: later + "/checkpoints").sorted()
        let smaller = try #require(checkpoints.first { $0 != "\(size).note" })
        let wrongCheckpoint = try audit([
            "check-proof", "--proof", proofPath, "--checkpoint", later + "/checkpoints/" + smaller, "--trust",
            later + "/trust.json",
        ])
        #expect(wrongCheckpoint.status == 1)
        #expect(
            wrongCheckpoint.stderr.contains("no verified checkpoint of this log has size \(size)"),
            "\(wrongCheckpoint.stderr)")
        let entryPath = dir.path("entry.json")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: entryPath))
        let wrongEntry = try audit([
            "check-proof", "--proof", proofPath, "--checkpoint", later + "/checkpoints/\(size).note", "--trust",
            later + "/trust.json", "--entry", entryPath,
        ])
        #expect(wrongEntry.status == 1)
        #expect(wrongEntry.stderr.contains("not the entry proved"), "\(wrongEntry.stderr)")
        // A proof whose hashes are not base64 cannot be used at all: a usage error, not "does not hold".
        let garbled = String(decoding: proof.stdout, as: UTF8.self).replacingOccurrences(
            of: #""hashes" : ["#, with: #""hashes" : [ "!!","#)
        try garbled.write(toFile: proofPath, atomically: true, encoding: .utf8)
        let unusable = try audit([
            "check-proof", "--proof", proofPath, "--checkpoint", later + "/checkpoints/\(size).note", "--trust",
            later + "/trust.json",
        ])
        #expect(unusable.status == 2, "\(garbled)\n\(unusable.stderr)")
        #expect(unusable.stderr.contains("proof element 0 is not a 32-byte hash"))
        #expect(
            try node(["audit", "export", "--node", path, "--from", "\(size + 5)", "--out", dir.path("x")]).status != 0)
        #expect(!FileManager.default.fileExists(atPath: dir.path("x")))
    }

    @Test("the shipped example bundles: verify passes, replay and cross-check report the planted findings")
    func exampleBundles() throws {
        let provider = repositoryRoot.appendingPathComponent("Docs/example-bundles/human-resources").path
        let consumer = repositoryRoot.appendingPathComponent("Docs/example-bundles/civil-affairs").path
        #expect(try audit(["verify", provider]).status == 0)
        let replayed = try audit(["replay", provider])
        #expect(replayed.status == 1)
        #expect(replayed.stdoutText.hasPrefix("FINDINGS: 5"))
        #expect(replayed.stdoutText.contains("access-after-withdrawal (entry 4)"))
        let json = try audit(["replay", consumer, "--format", "json"])
        #expect(try JSONParser().parse(json.stdout)["findings"]?.arrayValue?.count == 2)
        let crossed = try audit(["cross-check", provider, consumer])
        #expect(crossed.status == 1)
        #expect(crossed.stdoutText.hasPrefix("UNMATCHED: 4"))
        #expect(crossed.stdoutText.contains("exchange-differs"))
    }
}
