import SeamlessTestSupport
import Testing

@testable import SeamlessCrypto

@Suite("base64url")
struct Base64URLTests {
    @Test("RFC 4648 test vectors, unpadded and url-safe")
    func vectors() throws {
        let vectors = [
            "": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(try Base64URL.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(try Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test("every length round-trips")
    func roundTrip() throws {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
            let text = Base64URL.encode(bytes)
            #expect(Base64URL.encodeToBytes(bytes) == Array(text.utf8))
            #expect(try Base64URL.decode(text) == bytes)
        }
    }

    @Test(
        "padding, standard alphabet, whitespace, bad length and non-canonical tails are refused",
        arguments: ["Zg==", "Zm9v+/", "Zm9v Yg", "Zm9vY", "Zh", "Zm9", "Zm+v", "Zm9v\n", "é"])
    func refused(text: String) {
        let error = #expect(throws: CryptoError.self) { try Base64URL.decode(text) }
        #expect(error?.code == .invalidBase64)
        #expect(error?.reason.isEmpty == false)
    }

    @Test("the error names the offending character and its position")
    func errorNamesPosition() {
        let error = #expect(throws: CryptoError.self) { try Base64URL.decode("abcd+fgh") }
        #expect(error?.reason.contains("'+' at position 4") == true)
    }

    @Test("standard base64 for PEM pads")
    func standard() {
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
    }
}
