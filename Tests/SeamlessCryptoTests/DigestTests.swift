import SeamlessTestSupport
import Testing

@testable import SeamlessCrypto

@Suite("Digests")
struct DigestTests {
    @Test("SHA-256 and SM3 match their published test vectors")
    func knownVectors() {
        let abc = Array("abc".utf8)
        #expect(hex(Digest.sha256(abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(Digest.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // GB/T 32905-2016 Appendix A, examples 1 and 2.
        #expect(hex(Digest.sm3(abc)) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        let abcd16 = Array(String(repeating: "abcd", count: 16).utf8)
        #expect(hex(Digest.sm3(abcd16)) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
    }

    @Test("a reused context gives the same digests as one-shot calls", arguments: DigestAlgorithm.allCases)
    func contextReuse(algorithm: DigestAlgorithm) {
        let context = DigestContext(algorithm)
        for length in [0, 1, 55, 56, 64, 1000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            context.update(message.prefix(length / 2))
            context.update(message.dropFirst(length / 2))
            #expect(context.finalize() == Digest.hash(message, using: algorithm))
        }
    }

    @Test("finalize(into:) writes the digest and resets")
    func finalizeInto() {
        let context = DigestContext(.sha256)
        var output = [UInt8](repeating: 0, count: 32)
        context.update(Array("abc".utf8))
        output.withUnsafeMutableBytes { context.finalize(into: $0) }
        #expect(output == Digest.sha256(Array("abc".utf8)))
        #expect(context.finalize() == Digest.sha256([UInt8]()))
    }
}
