import Foundation

/// Reading and writing the files commands take, with errors that name the file.
public enum Files {
    /// Reads at most `limit` bytes from `path`, or from standard input when `path` is nil or `-`.
    public static func read(_ path: String?, limit: Int, what: String) throws -> [UInt8] {
        let handle: FileHandle
        let name: String
        if let path, path != "-" {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw CommandFailure.io("cannot read \(what) '\(path)': \(describeMissing(path))")
            }
            handle = opened
            name = "'\(path)'"
        } else {
            handle = FileHandle.standardInput
            name = "standard input"
        }
        defer { if handle !== FileHandle.standardInput { try? handle.close() } }
        let data: Data
        do {
            // One byte past the limit tells "exactly at the limit" from "over it" without reading the rest.
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw CommandFailure.io("cannot read \(what) from \(name): \(error.localizedDescription)")
        }
        guard data.count <= limit else {
            throw CommandFailure.refused("\(what) from \(name) is larger than the \(limit)-byte limit")
        }
        return Array(data)
    }

    /// Reads a whole text file of at most `limit` bytes.
    public static func readText(_ path: String, limit: Int = 1 << 20, what: String) throws -> String {
        String(decoding: try read(path, limit: limit, what: what), as: UTF8.self)
    }

    /// Writes `contents` to `path` atomically with POSIX `permissions`, refusing to replace an existing file
    /// unless `overwrite` is set, so a key is never lost to a mistyped command.
    public static func write(_ contents: String, to path: String, permissions: Int, overwrite: Bool) throws {
        let manager = FileManager.default
        if !overwrite && manager.fileExists(atPath: path) {
            throw CommandFailure.refused("'\(path)' already exists; move it away or pass --force to replace it")
        }
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard
            manager.createFile(
                atPath: temporary, contents: Data(contents.utf8), attributes: [.posixPermissions: permissions])
        else {
            throw CommandFailure.io(
                "cannot write '\(path)': \(describeMissing((path as NSString).deletingLastPathComponent))")
        }
        // rename(2) replaces the target atomically: a reader sees the old file or the new one, never neither.
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(atPath: temporary)
            throw CommandFailure.io("cannot write '\(path)': \(reason)")
        }
    }

    /// Creates `path` as a directory (and its parents) if it does not exist.
    public static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.io("cannot create directory '\(path)': \(error.localizedDescription)")
        }
    }

    private static func describeMissing(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "no such file or directory"
        }
        return isDirectory.boolValue ? "it is a directory" : "permission denied"
    }
}

/// Writes to standard output without buffering surprises.
public func printBytes(_ bytes: [UInt8], newline: Bool = true) {
    FileHandle.standardOutput.write(Data(bytes))
    if newline { FileHandle.standardOutput.write(Data([0x0A])) }
}
