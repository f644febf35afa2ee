import Foundation
import SeamlessTestSupport
import Testing

@testable import SeamlessCrypto

@Suite("zlib with caps")
struct ZlibTests {
    static let sample: [UInt8] = Array(
        (0..<2000).map { "{\"id\":\"subj-\($0)\",\"district\":\"d\($0 % 17)\",\"status\":\"active\"}" }.joined(
            separator: ","
        ).utf8
    )

    @Test("every level round-trips and higher levels do not grow the output", arguments: 0...9)
    func roundTrip(level: Int) throws {
        let compressed = try Zlib.compress(Self.sample, level: level)
        #expect(try Zlib.decompress(compressed) == Self.sample)
        if level > 0 {
            #expect(compressed.count < Self.sample.count / 3)
        }
    }

    @Test("empty input round-trips")
    func empty() throws {
        #expect(try Zlib.decompress(try Zlib.compress([UInt8]())) == [])
    }

    @Test("a level outside 0...9 is refused")
    func badLevel() {
        let error = #expect(throws: CryptoError.self) { try Zlib.compress([1, 2, 3], level: 10) }
        #expect(error?.code == .compressionFailed)
    }

    @Test("Python's zlib opens what we compress and we open what it compresses")
    func pythonInterop() throws {
        let ours = try Zlib.compress(Self.sample, level: 6)
        let inflated = try runChecked(
            "python3", ["-c", "import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"],
            input: ours)
        #expect(inflated.stdout == Self.sample)
        let theirs = try runChecked(
            "python3", ["-c", "import sys,zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read(), 9))"],
            input: Self.sample)
        #expect(try Zlib.decompress(theirs.stdout) == Self.sample)
    }

    @Test("truncated, corrupt, trailing and empty streams are refused as corrupt-data")
    func corrupt() throws {
        let compressed = try Zlib.compress(Self.sample)
        var flipped = compressed
        flipped[compressed.count / 2] ^= 0x55
        var badChecksum = compressed
        badChecksum[compressed.count - 1] ^= 0x01
        let cases: [(String, [UInt8])] = [
            ("truncated", Array(compressed.prefix(compressed.count - 10))),
            ("header only", Array(compressed.prefix(2))),
            ("flipped byte", flipped),
            ("bad checksum", badChecksum),
            ("trailing bytes", compressed + [0, 0, 0]),
            ("not zlib", Array("hello world".utf8)),
            ("empty", []),
        ]
        for (name, bytes) in cases {
            let error = #expect(throws: CryptoError.self, "\(name)") { try Zlib.decompress(bytes) }
            #expect(error?.code == .corruptData, "\(name): \(String(describing: error))")
        }
    }

    @Test("output over the cap is refused as output-limit-exceeded; output exactly at the cap is fine")
    func outputCap() throws {
        let data = [UInt8](repeating: 7, count: 100_000)
        let compressed = try Zlib.compress(data)
        let loose = InflateLimits(maxOutputBytes: 100_000, maxRatio: 10_000)
        #expect(try Zlib.decompress(compressed, limits: loose) == data)
        let tight = InflateLimits(maxOutputBytes: 99_999, maxRatio: 10_000)
        let error = #expect(throws: CryptoError.self) { try Zlib.decompress(compressed, limits: tight) }
        #expect(error?.code == .outputLimitExceeded)
    }

    @Test("a 1 GiB zip bomb is refused after inflating a bounded amount")
    func refusesZipBomb() throws {
        let bomb = try zipBomb(mebibytes: 1024)
        #expect(bomb.count < 2 << 20)
        // The bomb is a real, complete zlib stream: Python inflates all of it.
        let script = """
            import sys, zlib
            d, total, buf = zlib.decompressobj(), 0, sys.stdin.buffer.read()
            while buf:
                total += len(d.decompress(buf, 1 << 24)); buf = d.unconsumed_tail
            print(total, d.eof)
            """
        #expect(try runChecked("python3", ["-c", script], input: bomb).stdoutText == "1073741824 True\n")
        let ratioError = #expect(throws: CryptoError.self) { try Zlib.decompress(bomb) }
        #expect(ratioError?.code == .ratioLimitExceeded)
        #expect(ratioError?.reason.contains("zip bomb") == true)
        // Without a ratio cap the output cap still stops it at 64 MiB, never at 1 GiB.
        let noRatio = InflateLimits(maxRatio: Int.max / 2)
        let sizeError = #expect(throws: CryptoError.self) { try Zlib.decompress(bomb, limits: noRatio) }
        #expect(sizeError?.code == .outputLimitExceeded)
        #expect(sizeError?.reason.contains("stopped after 67108864 bytes") == true)
    }

    @Test("small repetitive messages below the grace size are not refused for their ratio")
    func ratioGrace() throws {
        let data = [UInt8](repeating: 0x41, count: 500_000)
        #expect(try Zlib.decompress(try Zlib.compress(data, level: 9)) == data)
    }
}
