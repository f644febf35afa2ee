import Foundation
import Seamless
import SeamlessCrypto
import SeamlessTestSupport
import Testing

/// Independent implementations agree with ours: Python's joserfc and cryptography verify what Seamless
/// seals; Seamless opens what joserfc seals; Python's jsonschema validates every example.
@Suite("Interop with an independent JOSE implementation", .enabled(if: pythonInteropAvailable || pythonInteropRequired))
struct InteropTests {
    init() {
        if pythonInteropRequired && !pythonInteropAvailable {
            Issue.record("SEAMLESS_REQUIRE_INTEROP=1 but python3 with joserfc, cryptography and jsonschema is missing")
        }
    }

    @Test(
        "envelopes sealed by exchange-node verify with joserfc and inflate with Python's zlib",
        arguments: ["ed25519", "p256"])
    func ourEnvelopesVerifyInJoserfc(algorithm: String) throws {
        let keys = try EnvelopeCLITests.Keys(algorithm)
        let envelopePath = try keys.dir.write("envelope.json", try keys.seal().stdout)
        let payloadPath = try keys.dir.write("payload.json", EnvelopeCLITests.request)
        let verified = try joseInterop([
            "verify", "--envelope", envelopePath, "--public-key", keys.pub, "--expect-payload", payloadPath,
            "--expect-type", "seamless-request+jws", "--expect-issuer", "gov.civil-affairs",
            "--expect-audience", "gov.public-security", "--now", String(Int(Date().timeIntervalSince1970)),
        ])
        #expect(verified.status == 0, "joserfc refused our envelope: \(verified.stderr)")
        #expect(verified.stdout == (try CanonicalJSON.canonicalize(EnvelopeCLITests.request)) + [0x0A])

        let tampered = try joseInterop(["tamper", "--envelope", envelopePath, "--what", "payload"])
        let tamperedPath = try keys.dir.write("tampered.json", tampered.stdout)
        let refused = try joseInterop(["verify", "--envelope", tamperedPath, "--public-key", keys.pub])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("bad-signature"))
    }

    @Test("envelopes sealed by joserfc open with exchange-node", arguments: ["ed25519", "p256"])
    func joserfcEnvelopesOpenHere(algorithm: String) throws {
        let keys = try EnvelopeCLITests.Keys(algorithm)
        let requestPath = try keys.dir.write("request.json", EnvelopeCLITests.request)
        for form in [[], ["--general"]] {
            let sealed = try joseInterop(
                [
                    "seal", "--private-key", keys.key, "--issuer", "gov.civil-affairs", "--audience",
                    "gov.public-security",
                    "--type", "seamless-request+jws", "--in", requestPath,
                ] + form)
            #expect(sealed.status == 0, "\(sealed.stderr)")
            let opened = try node(
                ["envelope", "open", "--trust", keys.pub, "--audience", "gov.public-security"], input: sealed.stdout)
            #expect(opened.status == 0, "exchange-node refused a joserfc envelope: \(opened.stderr)")
            #expect(try JSONParser().parse(opened.stdout) == (try JSONParser().parse(EnvelopeCLITests.request)))
        }
    }

    @Test("the example federation passes the independent cross-file checker (Python)")
    func federationChecker() throws {
        let result = try run(
            "python3", [repositoryRoot.appendingPathComponent("scripts/interop/check_federation.py").path])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        #expect(result.stdoutText.contains(" 0 failed"))
    }

    @Test("every schema is valid JSON Schema 2020-12 and every example validates (Python jsonschema)")
    func schemasValidate() throws {
        let result = try run(
            "python3", [repositoryRoot.appendingPathComponent("scripts/interop/validate_schemas.py").path])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        #expect(result.stdoutText.contains(" 0 failed"))
    }
}

/// The example envelopes in Schemas/examples open with Seamless and carry exactly their documented payloads.
@Suite("Schema examples")
struct SchemaExampleTests {
    static let envelopeNames: [String] = {
        let folder = examplesDirectory.appendingPathComponent("envelope")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func trust() throws -> TrustStore {
        let folder = examplesDirectory.appendingPathComponent("envelope/keys")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".pub.pem") }
        return TrustStore(
            try names.map { name in
                TrustedKey(
                    try PublicKey(
                        pemRepresentation: try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
                )
            })
    }

    @Test("there are envelope examples to check")
    func examplesExist() {
        #expect(Self.envelopeNames.count >= 3)
    }

    @Test("each example envelope opens and its payload equals the documented one", arguments: envelopeNames)
    func exampleOpens(name: String) throws {
        let folder = examplesDirectory.appendingPathComponent("envelope")
        var bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
        if bytes.last == 0x0A { bytes.removeLast() }
        let opener = EnvelopeOpener(trust: try Self.trust(), audience: .any, time: .ignore)
        let opened = try opener.open(bytes)
        let expected = try JSONParser().parse(
            Array(try Data(contentsOf: folder.appendingPathComponent("payloads/\(name)"))))
        #expect(try opened.json() == expected)
        #expect(opened.payload == CanonicalJSON.serialize(expected), "the payload is canonical JSON")
        if !name.hasPrefix("general") {
            #expect(try CanonicalJSON.canonicalize(bytes) == bytes, "the envelope is stored canonically")
        }
    }
}
