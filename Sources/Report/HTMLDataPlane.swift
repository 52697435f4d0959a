import Rules

extension HTMLReport {
    /// Each host's feature drift and its VFs' counters at the audited observation: the VFs that
    /// dropped most first, ten per host (the JSON report has every VF).
    static func dataPlaneSection(_ report: AuditReport) -> String {
        let hosts = report.hosts.filter { $0.featureDrift != nil || !($0.vfCounters ?? []).isEmpty }.sorted { $0.name < $1.name }
        guard !hosts.isEmpty else { return "" }
        var html = "<section id=\"data-plane\">\n<h2>Data plane</h2>\n<p>Offload feature drift (PF interfaces unlike the PFs of the same model, driver and firmware) and VF counters as the PFs reported them; rates between two collections are the <code>vf-counters</code> findings.</p>\n"
        html += "<table id=\"data-plane-table\">\n<thead><tr><th>Host</th><th>Feature drift</th><th>VF</th><th>PF interface</th><th>RX packets</th><th>TX packets</th><th>RX dropped</th><th>TX dropped</th></tr></thead>\n<tbody>\n"
        for host in hosts.prefix(maxHostRows) {
            let drift = host.featureDrift.map { $0 == 0 ? "0" : "<b class=\"conflict\">\($0)</b>" } ?? "-"
            let vfs = (host.vfCounters ?? []).sorted { (($0.rxDropped ?? 0) + ($0.txDropped ?? 0), $1.vf) > (($1.rxDropped ?? 0) + ($1.txDropped ?? 0), $0.vf) }
            if vfs.isEmpty {
                html += "<tr class=\"data-plane\" data-host=\"\(host.name.markupEscaped)\"><td>\(host.name.markupEscaped)</td><td>\(drift)</td><td colspan=\"6\" class=\"note\">no VF counters read</td></tr>\n"
            }
            for (n, vf) in vfs.prefix(10).enumerated() {
                let cells = [vf.rxPackets, vf.txPackets, vf.rxDropped, vf.txDropped].map { $0.map(String.init) ?? "-" }
                html += "<tr class=\"data-plane\" data-host=\"\(host.name.markupEscaped)\"><td>\(n == 0 ? host.name.markupEscaped : "")</td><td>\(n == 0 ? drift : "")</td><td>\(vf.vf.markupEscaped)</td><td>\(vf.pfInterface.markupEscaped)</td>"
                    + cells.map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>\n"
            }
            if vfs.count > 10 { html += "<tr><td></td><td></td><td colspan=\"6\" class=\"note\">and \(vfs.count - 10) more VF(s)</td></tr>\n" }
        }
        html += "</tbody>\n</table>\n"
        if hosts.count > maxHostRows { html += "<p class=\"note\">Showing \(maxHostRows) of \(hosts.count) hosts.</p>\n" }
        return html + "</section>\n"
    }
}
