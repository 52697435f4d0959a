#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An audit report a host pushed about itself (`audit --push`), as `serve` lists it.
public struct HostReportSummary: Sendable, Codable, Equatable {
    public var runId: String
    public var receivedAt: String
    public var generatedAt: String?
    public var compliant: Bool?
    public var bytes: Int
}

/// The reports hosts push about themselves, kept per host with bounded retention.
extension InventoryStore {
    /// Keeps `body` as `hostname`'s report of run `runId`, dropping that host's oldest beyond
    /// `keep`. The same run sent again replaces nothing and reports `false`.
    @discardableResult
    public func saveHostReport(hostname: String, runId: String, generatedAt: String?, compliant: Bool?, body: [UInt8],
                               keep: Int, now: Date = Date()) throws -> Bool {
        try write { db in
            let inserted = try db.execute("""
                INSERT INTO host_reports (hostname, run_id, received_at, generated_at, compliant, body)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hostname, run_id) DO NOTHING
                """, [.text(hostname), .text(runId), .text(now.formatted(.iso8601)), SQLValue(generatedAt), SQLValue(compliant), .blob(body)]) > 0
            try db.execute("""
                DELETE FROM host_reports WHERE hostname = ?1 AND id NOT IN
                    (SELECT id FROM host_reports WHERE hostname = ?1 ORDER BY received_at DESC, id DESC LIMIT ?2)
                """, [.text(hostname), .int(Int64(max(1, keep)))])
            return inserted
        }
    }

    /// A host's kept reports, newest first.
    public func hostReports(of hostname: String) throws -> [HostReportSummary] {
        try read { db in
            try db.all("""
                SELECT run_id, received_at, generated_at, compliant, length(body) AS bytes FROM host_reports
                WHERE hostname = ? ORDER BY received_at DESC, id DESC
                """, [.text(hostname)], table: "host_reports") { row in
                HostReportSummary(runId: try row.string(0), receivedAt: try row.string(1), generatedAt: row.text(2),
                                  compliant: try row.bool(3), bytes: try row.requiredInt(4))
            }
        }
    }

    /// One kept report's JSON, as the host sent it.
    public func hostReport(of hostname: String, runId: String) throws -> [UInt8] {
        try read { db in
            guard let body = try db.first("SELECT body FROM host_reports WHERE hostname = ? AND run_id = ?",
                                          [.text(hostname), .text(runId)], table: "host_reports", { $0.blob(0) }) ?? nil else {
                throw StoreError.notFound("report \(runId) of \(hostname)")
            }
            return body
        }
    }
}
