import Foundation
import SeamlessTestSupport
import Testing

@testable import SeamlessCrypto

/// Interop with the openssl command-line tool in both directions, for every algorithm.
@Suite("openssl CLI interop")
struct OpenSSLInteropTests {
    static let message = Array("Seamless interop: 无缝隙政府 — household registration request #42".utf8)

    /// openssl genpkey arguments for each algorithm.
    static func genpkeyArguments(_ algorithm: SignatureAlgorithm) -> [String] {
        switch algorithm {
        case .ed25519: ["-algorithm", "ed25519"]
        case .es256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
        case .sm2sm3: ["-algorithm", "SM2"]
        }
    }

    @Test(
        "keys made by openssl genpkey load here with the kid openssl's SPKI gives",
        arguments: SignatureAlgorithm.allCases)
    func opensslKeysLoadHere(algorithm: SignatureAlgorithm) throws {
        let dir = try TemporaryDirectory()
        try runChecked("openssl", ["genpkey"] + Self.genpkeyArguments(algorithm) + ["-out", dir.path("key.pem")])
        try runChecked("openssl", ["pkey", "-in", dir.path("key.pem"), "-pubout", "-out", dir.path("pub.pem")])
        try runChecked(
            "openssl", ["pkey", "-in", dir.path("key.pem"), "-pubout", "-outform", "DER", "-out", dir.path("pub.der")])
        let key = try PrivateKey(pemRepresentation: String(decoding: try dir.read("key.pem"), as: UTF8.self))
        let publicKey = try PublicKey(pemRepresentation: String(decoding: try dir.read("pub.pem"), as: UTF8.self))
        #expect(key.algorithm == algorithm)
        #expect(publicKey.algorithm == algorithm)
        let spki = try dir.read("pub.der")
        #expect(publicKey.derRepresentation == spki)
        #expect(key.kid == KeyID.of(subjectPublicKeyInfo: spki))
        #expect(publicKey.pemRepresentation == String(decoding: try dir.read("pub.pem"), as: UTF8.self))
    }

    @Test(
        "an EC public key written with a compressed point has the same kid",
        arguments: [SignatureAlgorithm.es256, .sm2sm3])
    func compressedPoint(algorithm: SignatureAlgorithm) throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(algorithm)
        let pubPath = try dir.write("pub.pem", key.publicKey.pemRepresentation)
        let compressed = try runChecked(
            "openssl", ["ec", "-pubin", "-in", pubPath, "-pubout", "-conv_form", "compressed"])
        #expect(compressed.stdoutText != key.publicKey.pemRepresentation, "openssl wrote the compressed form")
        let read = try PublicKey(pemRepresentation: compressed.stdoutText)
        #expect(read.kid == key.kid)
        #expect(read.derRepresentation == key.publicKey.derRepresentation)
    }

    @Test("keys made here are read by openssl pkey", arguments: SignatureAlgorithm.allCases)
    func ourKeysLoadInOpenSSL(algorithm: SignatureAlgorithm) throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(algorithm)
        let keyPath = try dir.write("key.pem", try key.pemRepresentation)
        let pubPath = try dir.write("pub.pem", key.publicKey.pemRepresentation)
        let derived = try runChecked("openssl", ["pkey", "-in", keyPath, "-pubout"])
        #expect(derived.stdoutText == key.publicKey.pemRepresentation)
        let pub = try runChecked("openssl", ["pkey", "-pubin", "-in", pubPath, "-outform", "DER"])
        #expect(pub.stdout == key.publicKey.derRepresentation)
        #expect(try key.pemRepresentation.hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }

    @Test("signatures made here verify with openssl pkeyutl", arguments: SignatureAlgorithm.allCases)
    func ourSignaturesVerifyInOpenSSL(algorithm: SignatureAlgorithm) throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(algorithm)
        let pubPath = try dir.write("pub.pem", key.publicKey.pemRepresentation)
        let messagePath = try dir.write("message", Self.message)
        let signature = try key.signature(for: Self.message)
        #expect(signature.count == 64)
        let onWire =
            algorithm == .ed25519
            ? signature : try #require(ECDSASignatureEncoding.der(fromRaw: signature.withUnsafeBytes { $0 }))
        let signaturePath = try dir.write("signature", onWire)
        let verified = try run(
            "openssl", Self.verifyArguments(algorithm, pub: pubPath, message: messagePath, signature: signaturePath))
        #expect(verified.status == 0, "openssl refused our \(algorithm) signature: \(verified.stderr)")
        #expect(verified.stdoutText.contains("Signature Verified Successfully"))

        // The same check must fail for a different message, or it proves nothing.
        let otherPath = try dir.write("other", Self.message + [0x21])
        let refused = try run(
            "openssl", Self.verifyArguments(algorithm, pub: pubPath, message: otherPath, signature: signaturePath))
        #expect(refused.status != 0)
    }

    @Test("signatures made by openssl verify here", arguments: SignatureAlgorithm.allCases)
    func opensslSignaturesVerifyHere(algorithm: SignatureAlgorithm) throws {
        let dir = try TemporaryDirectory()
        try runChecked("openssl", ["genpkey"] + Self.genpkeyArguments(algorithm) + ["-out", dir.path("key.pem")])
        try runChecked("openssl", ["pkey", "-in", dir.path("key.pem"), "-pubout", "-out", dir.path("pub.pem")])
        let messagePath = try dir.write("message", Self.message)
        var arguments = [
            "pkeyutl", "-sign", "-inkey", dir.path("key.pem"), "-rawin", "-in", messagePath, "-out", dir.path("sig"),
        ]
        switch algorithm {
        case .ed25519: break
        case .es256: arguments += ["-digest", "sha256"]
        case .sm2sm3: arguments += ["-digest", "sm3", "-pkeyopt", "distid:1234567812345678"]
        }
        try runChecked("openssl", arguments)
        let onWire = try dir.read("sig")
        let signature =
            algorithm == .ed25519 ? onWire : try #require(ECDSASignatureEncoding.rawSignature(fromDER: onWire))
        let publicKey = try PublicKey(pemRepresentation: String(decoding: try dir.read("pub.pem"), as: UTF8.self))
        #expect(publicKey.isValidSignature(signature, for: Self.message))
        #expect(!publicKey.isValidSignature(signature, for: Self.message.dropLast()))
    }

    @Test("an SM2 signature made with OpenSSL's default empty ID does not verify here")
    func sm2RequiresTheStandardID() throws {
        let dir = try TemporaryDirectory()
        try runChecked("openssl", ["genpkey", "-algorithm", "SM2", "-out", dir.path("key.pem")])
        try runChecked("openssl", ["pkey", "-in", dir.path("key.pem"), "-pubout", "-out", dir.path("pub.pem")])
        let messagePath = try dir.write("message", Self.message)
        try runChecked(
            "openssl",
            [
                "pkeyutl", "-sign", "-inkey", dir.path("key.pem"), "-rawin", "-in", messagePath, "-digest", "sm3",
                "-pkeyopt", "distid:0000000000000000", "-out", dir.path("sig"),
            ])
        let signature = try #require(ECDSASignatureEncoding.rawSignature(fromDER: try dir.read("sig")))
        let publicKey = try PublicKey(pemRepresentation: String(decoding: try dir.read("pub.pem"), as: UTF8.self))
        #expect(!publicKey.isValidSignature(signature, for: Self.message))
    }

    static func verifyArguments(
        _ algorithm: SignatureAlgorithm, pub: String, message: String, signature: String
    ) -> [String] {
        var arguments = [
            "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", message, "-sigfile", signature,
        ]
        switch algorithm {
        case .ed25519: break
        case .es256: arguments += ["-digest", "sha256"]
        case .sm2sm3: arguments += ["-digest", "sm3", "-pkeyopt", "distid:1234567812345678"]
        }
        return arguments
    }
}
