import GRDB
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
            try db.execute(sql: """
                INSERT OR IGNORE INTO host_reports (hostname, run_id, received_at, generated_at, compliant, body)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [hostname, runId, now.formatted(.iso8601), generatedAt, compliant, Data(body)])
            let inserted = db.changesCount > 0
            try db.execute(sql: """
                DELETE FROM host_reports WHERE hostname = ?1 AND id NOT IN
                    (SELECT id FROM host_reports WHERE hostname = ?1 ORDER BY received_at DESC, id DESC LIMIT ?2)
                """, arguments: [hostname, max(1, keep)])
            return inserted
        }
    }

    /// A host's kept reports, newest first.
    public func hostReports(of hostname: String) throws -> [HostReportSummary] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT run_id, received_at, generated_at, compliant, length(body) AS bytes FROM host_reports
                WHERE hostname = ? ORDER BY received_at DESC, id DESC
                """, arguments: [hostname]).map { row in
                HostReportSummary(runId: row["run_id"], receivedAt: row["received_at"], generatedAt: row["generated_at"],
                                  compliant: row["compliant"], bytes: row["bytes"])
            }
        }
    }

    /// One kept report's JSON, as the host sent it.
    public func hostReport(of hostname: String, runId: String) throws -> [UInt8] {
        try read { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT body FROM host_reports WHERE hostname = ? AND run_id = ?",
                                               arguments: [hostname, runId]) else {
                throw StoreError.notFound("report \(runId) of \(hostname)")
            }
            return [UInt8](data)
        }
    }
}
