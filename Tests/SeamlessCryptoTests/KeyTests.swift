import Foundation
import SeamlessTestSupport
import Testing

@testable import SeamlessCrypto

@Suite("Keys")
struct KeyTests {
    @Test("a generated key survives a PEM round trip with the same kid", arguments: SignatureAlgorithm.allCases)
    func pemRoundTrip(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let reloaded = try PrivateKey(pemRepresentation: key.pemRepresentation)
        #expect(reloaded.algorithm == algorithm)
        #expect(reloaded.kid == key.kid)
        #expect(reloaded.publicKey == key.publicKey)
        let publicKey = try PublicKey(pemRepresentation: key.publicKey.pemRepresentation)
        #expect(publicKey.kid == key.kid)
        #expect(publicKey.algorithm == algorithm)
        #expect(key.kid.utf8.count == 22)
    }

    @Test("the kid is base64url of the first 16 bytes of SHA-256 over the SPKI DER")
    func kidDefinition() throws {
        let key = try PrivateKey.generate(.ed25519)
        let expected = Base64URL.encode(Digest.sha256(key.publicKey.derRepresentation).prefix(16))
        #expect(key.kid == expected)
    }

    @Test("garbage, truncated and public-as-private PEM are refused with invalid-key")
    func invalidPEM() throws {
        let key = try PrivateKey.generate(.ed25519)
        let pem = try key.pemRepresentation
        let cases = [
            "",
            "not a key",
            String(pem.prefix(pem.count / 2)),
            key.publicKey.pemRepresentation,
            pem.replacingOccurrences(of: "M", with: "!"),
        ]
        for text in cases {
            let error = #expect(throws: CryptoError.self) { try PrivateKey(pemRepresentation: text) }
            #expect(error?.code == .invalidKey)
        }
        let error = #expect(throws: CryptoError.self) { try PublicKey(pemRepresentation: pem) }
        #expect(error?.code == .invalidKey)
        let derError = #expect(throws: CryptoError.self) { try PublicKey(derRepresentation: [0x30, 0x03, 0x02, 0x01]) }
        #expect(derError?.code == .invalidKey)
    }

    @Test("a PEM text of megabytes is refused before OpenSSL reads it")
    func oversizedPEM() {
        let huge =
            "-----BEGIN PRIVATE KEY-----\n" + String(repeating: "QUFBQUFB\n", count: 200_000)
            + "-----END PRIVATE KEY-----\n"
        let error = #expect(throws: CryptoError.self) { try PrivateKey(pemRepresentation: huge) }
        #expect(error?.code == .invalidKey)
        #expect(error?.reason.contains("far larger than any PEM key") == true)
    }

    @Test("an encrypted PEM is refused without prompting for a passphrase")
    func encryptedPEMRefused() throws {
        let dir = try TemporaryDirectory()
        try runChecked("openssl", ["genpkey", "-algorithm", "ed25519", "-out", dir.path("plain.pem")])
        try runChecked(
            "openssl",
            [
                "pkey", "-in", dir.path("plain.pem"), "-aes256", "-passout", "pass:secret", "-out", dir.path("enc.pem"),
            ])
        let text = String(decoding: try dir.read("enc.pem"), as: UTF8.self)
        #expect(text.contains("ENCRYPTED"))
        let error = #expect(throws: CryptoError.self) { try PrivateKey(pemRepresentation: text) }
        #expect(error?.code == .invalidKey)
    }

    @Test("RSA keys and other curves are refused with unsupported-algorithm")
    func unsupportedKeyTypes() throws {
        let dir = try TemporaryDirectory()
        try runChecked(
            "openssl",
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", dir.path("rsa.pem")])
        try runChecked(
            "openssl",
            ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", dir.path("p384.pem")])
        for name in ["rsa.pem", "p384.pem"] {
            let text = String(decoding: try dir.read(name), as: UTF8.self)
            let error = #expect(throws: CryptoError.self) { try PrivateKey(pemRepresentation: text) }
            #expect(error?.code == .unsupportedAlgorithm)
            #expect(error?.reason.contains("Ed25519") == true)
        }
    }
}
