import Foundation
import SeamlessCrypto
import SeamlessTestSupport
import Testing

@Suite("exchange-node keys")
struct KeysCLITests {
    @Test(
        "keys generate writes a 0600 PKCS#8 key and an SPKI public key openssl reads, and prints the kid",
        arguments: ["ed25519", "p256", "sm2"])
    func generate(algorithm: String) throws {
        let dir = try TemporaryDirectory()
        let result = try node([
            "keys", "generate", "--algorithm", algorithm, "--out", dir.path("keys"), "--name", "civil",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let kid = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let keyPath = dir.path("keys/civil.key.pem")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try runChecked("openssl", ["pkey", "-in", keyPath, "-noout"])
        let der = try runChecked(
            "openssl", ["pkey", "-pubin", "-in", dir.path("keys/civil.pub.pem"), "-outform", "DER"]
        ).stdout
        #expect(kid == KeyID.of(subjectPublicKeyInfo: der))
        let shown = try node(["keys", "show", keyPath])
        #expect(shown.stdoutText.hasSuffix("\(kid)\n"))
    }

    @Test("keys generate never overwrites an existing key without --force")
    func noOverwrite() throws {
        let dir = try TemporaryDirectory()
        _ = try node(["keys", "generate", "--out", dir.path("k")])
        let before = try dir.read("k/node.key.pem")
        let again = try node(["keys", "generate", "--out", dir.path("k")])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
        #expect(try dir.read("k/node.key.pem") == before)
        let forced = try node(["keys", "generate", "--out", dir.path("k"), "--force"])
        #expect(forced.status == 0)
        #expect(try dir.read("k/node.key.pem") != before)
    }

    @Test("an unknown algorithm is a usage error (exit 2)")
    func unknownAlgorithm() throws {
        let dir = try TemporaryDirectory()
        let result = try node(["keys", "generate", "--algorithm", "rsa", "--out", dir.path("k")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown algorithm 'rsa'"))
    }
}
