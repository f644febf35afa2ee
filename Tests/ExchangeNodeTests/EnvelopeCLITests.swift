import Foundation
import Seamless
import SeamlessCrypto
import SeamlessTestSupport
import Testing

@Suite("exchange-node envelope")
struct EnvelopeCLITests {
    static let request = Array(
        #"{"resource":"gov.public-security/household-registration","fields":["district"],"purpose":"social-assistance.eligibility"}"#
            .utf8)

    struct Keys {
        let dir: TemporaryDirectory
        var key: String { dir.path("keys/civil.key.pem") }
        var pub: String { dir.path("keys/civil.pub.pem") }

        init(_ algorithm: String = "ed25519") throws {
            dir = try TemporaryDirectory()
            _ = try node(["keys", "generate", "--algorithm", algorithm, "--out", dir.path("keys"), "--name", "civil"])
        }

        func seal(_ extra: [String] = [], input: [UInt8] = EnvelopeCLITests.request) throws -> ProcessResult {
            try node(
                [
                    "envelope", "seal", "--key", key, "--issuer", "gov.civil-affairs", "--audience",
                    "gov.public-security", "--type", "request",
                ] + extra, input: input)
        }
    }

    @Test("seal then open prints the canonical payload", arguments: ["ed25519", "p256", "sm2"])
    func roundTrip(algorithm: String) throws {
        let keys = try Keys(algorithm)
        let sealed = try keys.seal()
        #expect(sealed.status == 0, "\(sealed.stderr)")
        let envelopePath = try keys.dir.write("envelope.json", sealed.stdout)
        let opened = try node([
            "envelope", "open", "--trust", keys.pub, "--audience", "gov.public-security", "--type", "request", "--in",
            envelopePath,
        ])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(opened.stdout == (try CanonicalJSON.canonicalize(Self.request)) + [0x0A])
    }

    @Test("refusals exit 1 with the code and a reason; usage errors exit 2; missing files exit 3")
    func exitCodes() throws {
        let keys = try Keys()
        let envelope = try keys.seal().stdout
        let other = try Keys()
        let untrusted = try node(["envelope", "open", "--trust", other.pub], input: envelope)
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("unknown-key-id:"))
        let audience = try node(["envelope", "open", "--trust", keys.pub, "--audience", "gov.tax"], input: envelope)
        #expect(audience.status == 1)
        #expect(audience.stderr.contains("wrong-audience:"))
        var tampered = envelope
        tampered[20] = tampered[20] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let bad = try node(["envelope", "open", "--trust", keys.pub], input: tampered)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad-signature:"))
        let garbage = try node(["envelope", "open", "--trust", keys.pub], input: Array("not json".utf8))
        #expect(garbage.status == 1)
        #expect(garbage.stderr.contains("bad-json:"))
        let noTrust = try node(["envelope", "open"], input: envelope)
        #expect(noTrust.status == 2)
        let missing = try node(["envelope", "open", "--trust", keys.pub, "--in", keys.dir.path("nope.json")])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("no such file"))
        let notJSON = try keys.seal(input: Array("{oops".utf8))
        #expect(notJSON.status == 1)
        #expect(notJSON.stderr.contains("not valid JSON"))
        let badLevel = try keys.seal(["--level", "12"])
        #expect(badLevel.status == 2)
    }

    @Test("exchange-audit inspect opens an archived envelope addressed to anyone")
    func auditInspect() throws {
        let keys = try Keys()
        let old = try EnvelopeSealer(
            key: try PrivateKey(
                pemRepresentation: String(decoding: try Data(contentsOf: URL(fileURLWithPath: keys.key)), as: UTF8.self)
            ), issuer: "gov.civil-affairs"
        )
        .seal(
            canonicalJSON: try CanonicalJSON.canonicalize(Self.request), type: .request, audience: "gov.tax",
            issuedAt: Date(timeIntervalSinceNow: -86_400 * 30)
        ).bytes
        let path = try keys.dir.write("old.json", old)
        #expect(try node(["envelope", "open", "--trust", keys.pub, "--in", path]).stderr.contains("too-old"))
        let inspected = try audit(["inspect", "--trust", keys.pub, path])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let value = try JSONParser().parse(inspected.stdout)
        #expect(value["header"]?["aud"] == "gov.tax")
        #expect(value["payload"]?["purpose"] == "social-assistance.eligibility")
    }
}
