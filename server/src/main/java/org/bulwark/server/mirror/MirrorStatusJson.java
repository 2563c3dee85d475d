package org.bulwark.server.mirror;

import org.bulwark.replication.MirrorStatus;

import java.util.List;

/**
 * The mirror monitor's data as one JSON object (SPEC M-17), for {@code MIRROR STATUS JSON} and
 * {@code bulwark mirror status --json}:
 *
 * <pre>
 * {"configured":true,"mirror":"ORDERS","member":"alpha","role":"PRIMARY","term":7,
 *  "failoverMode":"Agent Controlled","arbiter":"none","arbiterConnection":"n/a","trouble":false,
 *  "members":[{"name":"alpha","type":"Failover","status":"Primary","journalTransfer":"n/a",
 *              "dejournaling":"n/a","mirrorAddress":"10.0.0.1:7100","agentAddress":"10.0.0.1:2188"}, ...],
 *  "journalEnd":1048576,"committedPosition":1048576,"nextRecordToDejournal":1048576,
 *  "transferRateBytesPerSec":1572864,
 *  "databases":[{"name":"USER","status":"Normal","nextRecordToDejournal":1048576}, ...]}
 * </pre>
 *
 * A dismounted database's {@code nextRecordToDejournal} is null. A member that is not mirrored
 * answers {@link #NOT_CONFIGURED}.
 */
public final class MirrorStatusJson
{
    public static final String NOT_CONFIGURED =
        "{\"configured\":false,\"message\":\"mirroring is not configured on this member\"}";

    private MirrorStatusJson()
    {
    }

    public static String render(final MirrorStatus status, final List<MirrorDatabaseRow> databases)
    {
        final JsonText json = new JsonText().beginObject()
            .field("configured", true)
            .field("mirror", status.mirrorName())
            .field("member", status.memberName())
            .field("role", status.role())
            .field("term", status.term())
            .field("failoverMode", status.failoverMode())
            .field("arbiter", status.arbiter())
            .field("arbiterConnection", status.arbiterConnection())
            .field("trouble", status.trouble())
            .beginArray("members");
        for (final MirrorStatus.MemberRow row : status.members())
        {
            json.beginObject()
                .field("name", row.name())
                .field("type", row.type())
                .field("status", row.status())
                .field("journalTransfer", row.journalTransfer())
                .field("dejournaling", row.dejournaling())
                .field("mirrorAddress", row.mirrorAddress())
                .field("agentAddress", row.agentAddress())
                .endObject();
        }
        json.endArray()
            .field("journalEnd", status.journalEnd())
            .field("committedPosition", status.committedPosition())
            .field("nextRecordToDejournal", status.appliedPosition())
            .field("transferRateBytesPerSec", status.transferRateBytesPerSec())
            .beginArray("databases");
        for (final MirrorDatabaseRow row : databases)
        {
            json.beginObject().field("name", row.name()).field("status", row.status());
            if (row.nextRecordToDejournal() == MirrorDatabaseRow.NOT_APPLICABLE)
            {
                json.nullField("nextRecordToDejournal");
            }
            else
            {
                json.field("nextRecordToDejournal", row.nextRecordToDejournal());
            }
            json.endObject();
        }
        return json.endArray().endObject().toString();
    }
}
