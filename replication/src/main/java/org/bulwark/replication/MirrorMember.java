package org.bulwark.replication;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.journal.Journal;
import org.bulwark.replication.agent.AgentClient;
import org.bulwark.replication.agent.JournalChunk;
import org.bulwark.replication.agent.MemberLiveness;
import org.bulwark.replication.agent.MemberStatus;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.replication.protocol.MirrorRole;
import org.bulwark.replication.protocol.RefuseMessage;
import org.bulwark.replication.transport.MirrorDriver;
import org.bulwark.replication.transport.MirrorEndpoint;
import org.bulwark.replication.transport.MirrorIdleStrategies;
import org.bulwark.replication.transport.MirrorLink;
import org.bulwark.replication.transport.MirrorLinkSettings;
import org.bulwark.replication.transport.MirrorMessageHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One failover member's mirroring (SPEC M-5..M-12, agent-controlled mode of seed 002 §3.3.5.1): an
 * agent on its own thread that keeps the link with the other failover member, decides this member's
 * role, ships the journal (primary) or receives and acknowledges it (backup), watches the QoS
 * timeout, runs the trouble state, and takes over when the rules allow it.
 *
 * <p>Roles: STARTING (protected, looking for the other member), PRIMARY, BACKUP, STOPPING, DEMOTED.
 * A member becomes primary only when it knows the other is not: the other says so (HELLO/STATUS),
 * asks it to take over (TAKEOVER), or the other's agent confirms it is down (forcing it down if it is
 * hung). Every takeover starts a higher term, journaled and kept in {@link TermLog}; a primary that
 * hears of a higher term stops at once (M-10).
 */
public final class MirrorMember implements Agent, MirrorMessageHandler, AutoCloseable
{
    /** This member's role, published to the monitor and the agent. */
    public enum Role
    {
        STARTING, PRIMARY, BACKUP, STOPPING, DEMOTED
    }

    /** A primary's view of its backup's journal transfer (M-8). */
    public enum Transfer
    {
        DISCONNECTED, CATCHING_UP, ACTIVE
    }

    static final String SUBSYSTEM = "MIRROR";
    static final int STREAM_ID = 1201;
    /** STATUS flag from a primary: the receiving backup is active. */
    static final int FLAG_ACTIVE = 1;
    /** STATUS flag from a primary: it ships to the receiving backup. */
    static final int FLAG_SHIPPING = 2;
    private static final long HELLO_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long STATE_FILE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int AGENT_CHUNK_BYTES = 1 << 20;

    private final MirrorConfig config;
    private final MemberHost host;
    private final MessageLog log;
    private final MirrorKey key;
    private final TermLog terms;
    private final MirrorHooks hooks;
    private final Journal journal;
    private final MirrorDriver driver;
    private final MirrorLink link;
    private final MemberStateFile stateFile;
    private final PrimaryShipper shipper;
    private final BackupReceiver receiver;
    private final MirrorConfig.Member peer;
    private final long qosNs;
    private final long troubleTimeoutNs;
    private final long heartbeatNs;
    private final long startNs = System.nanoTime();
    private AgentRunner runner;

    private volatile Role role = Role.STARTING;
    private volatile Transfer transfer = Transfer.DISCONNECTED;
    private volatile long term;
    private volatile long ackPosition;
    private volatile long troubleSinceNs;
    private volatile boolean active; // a backup's own view: the primary told it it is active
    private volatile String note = "";

    // What is known about the other member (mirror agent's thread; volatile for the monitor).
    private volatile MirrorRole peerRole = MirrorRole.UNKNOWN;
    private volatile long peerTerm = -1;
    private volatile long peerJournalEnd = -1;
    private volatile long peerTermStart = -1;
    private volatile long peerIncarnation;
    private volatile boolean peerHeard;

    private long lastHelloNs;
    private long lastStatusNs;
    private long lastStateFileNs;
    private long pendingSinceNs;
    private long lastAgentCheckNs;
    private long takeoverFinalPosition = -1;
    private long lostSinceNs;
    private boolean primaryShipping;
    private long lastCatchupNs;
    private long lastRateNs = System.nanoTime();
    private long lastRateBytes;
    private volatile long transferRateBytesPerSec;
    private volatile CompletableFuture<Void> stopRequest;
    private volatile boolean stopWithFailover;

    private MirrorMember(final MirrorConfig config, final MemberHost host, final MessageLog log) throws IOException
    {
        this.config = config;
        this.host = host;
        this.log = log;
        this.journal = host.journal();
        this.key = MirrorKey.load(config.keyFile());
        this.terms = TermLog.open(config.dataDirectory());
        this.hooks = MirrorHooks.load(config.hooksClass());
        this.term = terms.currentTerm();
        this.peer = config.peer();
        this.qosNs = TimeUnit.MILLISECONDS.toNanos(config.qosTimeoutMs());
        this.troubleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.troubleTimeoutMs());
        this.heartbeatNs = Math.max(TimeUnit.MILLISECONDS.toNanos(50),
            Math.min(qosNs / 8, TimeUnit.SECONDS.toNanos(1)));
        this.stateFile = MemberStateFile.open(config.dataDirectory(), config.mirrorName(), config.memberName(), true);
        stateFile.publish(MemberStateFile.Role.NONE, term, journal.durablePosition());
        MirrorDriver startedDriver = null;
        MirrorLink startedLink = null;
        try
        {
            startedDriver = MirrorDriver.launch(config.memberName(), config.idleStrategy(), log);
            final MirrorConfig.Member self = config.self();
            final MirrorConfig.Member other = null == peer ? self : peer;
            startedLink = new MirrorLink(startedDriver.aeron(), MirrorLinkSettings.of(config.mirrorName(),
                config.memberName(), new MirrorEndpoint(self.mirrorHost(), self.mirrorPort()),
                new MirrorEndpoint(other.mirrorHost(), other.mirrorPort()), STREAM_ID), key, this, log);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(startedLink, startedDriver, stateFile);
            throw ex;
        }
        this.driver = startedDriver;
        this.link = startedLink;
        this.shipper = new PrimaryShipper(journal, link);
        this.receiver = new BackupReceiver(journal, link, config.ackLevel());
    }

    /**
     * Start mirroring: the member stays protected until it knows its role.
     *
     * @throws IOException if the key, the term log or the state file cannot be read or written.
     */
    public static MirrorMember start(final MirrorConfig config, final MemberHost host, final MessageLog log)
        throws IOException
    {
        final MirrorMember member = new MirrorMember(config, host, log);
        host.protect("this member is starting in mirror " + config.mirrorName() + " and does not know its role yet");
        log.info(SUBSYSTEM, "member " + config.memberName() + " of mirror " + config.mirrorName() + ": term " +
            member.term + ", journal ends at " + member.journal.appendedPosition() + ", QoS timeout " +
            config.qosTimeoutMs() + " ms, acknowledgement " + config.ackLevel().name().toLowerCase() + ", " +
            (null == member.peer ? "no other failover member" : "other member " + member.peer.name() + " at " +
            member.peer.mirrorAddress() + ", its agent at " + member.peer.agentAddress()));
        member.runner = new AgentRunner(MirrorIdleStrategies.newIdleStrategy(config.idleStrategy(),
            "mirror.idleStrategy"), ex -> log.severe(SUBSYSTEM, "mirror agent: " + ex), null, member);
        AgentRunner.startOnThread(member.runner);
        return member;
    }

    @Override
    public String roleName()
    {
        return "bulwark-mirror";
    }

    public Role role()
    {
        return role;
    }

    public long term()
    {
        return term;
    }

    // ------------------------------------------------------------------ duty cycle

    @Override
    public int doWork() throws IOException
    {
        final long nowNs = System.nanoTime();
        int work = link.poll(nowNs, 64);
        final CompletableFuture<Void> stop = stopRequest;
        if (null != stop && !stop.isDone())
        {
            runStop(stop);
            return 1;
        }
        work += heartbeats(nowNs);
        switch (role)
        {
            case STARTING:
                work += decideRole(nowNs);
                break;
            case PRIMARY:
                work += primaryDuty(nowNs);
                break;
            case BACKUP:
                work += backupDuty(nowNs);
                break;
            default:
                break;
        }
        return work;
    }

    private int heartbeats(final long nowNs)
    {
        int work = 0;
        final MirrorRole wireRole = wireRole();
        if (nowNs - lastHelloNs > HELLO_INTERVAL_NS)
        {
            lastHelloNs = nowNs;
            link.sendHello(term, wireRole, journal.writtenPosition(), termStart(), 0);
            work++;
        }
        if (nowNs - lastStatusNs > heartbeatNs)
        {
            lastStatusNs = nowNs;
            final int flags = role == Role.PRIMARY ? (transfer == Transfer.ACTIVE ? FLAG_ACTIVE : 0) |
                (shipper.shipping() ? FLAG_SHIPPING : 0) : 0;
            link.sendStatus(term, wireRole, journal.writtenPosition(), journal.committedPosition(), flags,
                System.currentTimeMillis());
            if (role == Role.BACKUP)
            {
                receiver.acknowledge(); // a lost acknowledgement is made good within a heartbeat
            }
            updateRate(nowNs);
            work++;
        }
        if (nowNs - lastStateFileNs > STATE_FILE_INTERVAL_NS)
        {
            lastStateFileNs = nowNs;
            stateFile.heartbeat(System.currentTimeMillis());
        }
        return work;
    }

    private void updateRate(final long nowNs)
    {
        final long bytes = role == Role.PRIMARY ? shipper.bytesShipped() : receiver.bytesReceived();
        final long elapsedNs = nowNs - lastRateNs;
        if (elapsedNs >= TimeUnit.SECONDS.toNanos(1))
        {
            transferRateBytesPerSec = (bytes - lastRateBytes) * 1_000_000_000L / elapsedNs;
            lastRateBytes = bytes;
            lastRateNs = nowNs;
        }
    }

    private MirrorRole wireRole()
    {
        switch (role)
        {
            case PRIMARY:
                return MirrorRole.PRIMARY;
            case BACKUP:
                return MirrorRole.BACKUP;
            default:
                return MirrorRole.UNKNOWN;
        }
    }

    private long termStart()
    {
        final TermLog.Term current = terms.current();
        return null == current ? 0 : current.startPosition();
    }

    private boolean peerSilent(final long nowNs)
    {
        return nowNs - link.lastHeardNs() > qosNs;
    }

    // ------------------------------------------------------------------ starting

    private int decideRole(final long nowNs) throws IOException
    {
        if (null == peer)
        {
            takeOver(false, "the mirror has one failover member");
            return 1;
        }
        if (peerHeard && !peerSilent(nowNs))
        {
            if (peerRole == MirrorRole.PRIMARY)
            {
                if (peerTerm >= term)
                {
                    becomeBackup();
                    return 1;
                }
                return 0; // a stale primary: it steps down when it hears our higher term
            }
            if (winsElection())
            {
                takeOver(false, "both members are starting and this one has the latest journal (term " + term +
                    ", end " + journal.appendedPosition() + " against " + peer.name() + "'s term " + peerTerm +
                    ", end " + peerJournalEnd + ")");
                return 1;
            }
            note = "waiting for " + peer.name() + " to become primary";
            return 0;
        }
        // Nothing from the other member: only its agent can say it is down (seed §3.3.5.1: a
        // restarting member behaves as a backup that is not active).
        if (nowNs - startNs > qosNs && nowNs - lastAgentCheckNs > qosNs / 2)
        {
            lastAgentCheckNs = nowNs;
            return consultAgent(false, false) ? 1 : 0;
        }
        return 0;
    }

    private boolean winsElection()
    {
        final long myEnd = journal.appendedPosition();
        if (term != peerTerm)
        {
            return term > peerTerm;
        }
        if (myEnd != peerJournalEnd)
        {
            return myEnd > peerJournalEnd;
        }
        return config.memberName().compareTo(peer.name()) < 0;
    }

    private void becomeBackup() throws IOException
    {
        role = Role.BACKUP;
        active = false;
        primaryShipping = false;
        takeoverFinalPosition = -1;
        lostSinceNs = 0;
        host.protect("this member is the backup of mirror " + config.mirrorName() + ": update the primary, " +
            peer.name());
        host.follow();
        journal.tap(receiver);
        receiver.follow(term);
        link.sendCatchup(term, journal.appendedPosition());
        stateFile.publish(MemberStateFile.Role.BACKUP, term, journal.durablePosition());
        note = "";
        log.info(SUBSYSTEM, "backup of " + peer.name() + " (primary in term " + peerTerm + "); journal here ends at " +
            journal.appendedPosition() + ", asking the primary for the rest");
        callHook(() -> hooks.becameBackup(peerTerm, peer.name()), "becameBackup");
    }

    // ------------------------------------------------------------------ primary

    private int primaryDuty(final long nowNs) throws IOException
    {
        int work = shipper.catchUp();
        final String frozen = journal.frozenReason();
        if (null != frozen)
        {
            // The primary cannot make journal data durable: it is hung as far as the mirror goes.
            final long finalPosition = journal.durablePosition();
            link.sendTakeover(term, finalPosition);
            demote("the journal is frozen (" + frozen + "): asked " + (null == peer ? "nobody" : peer.name()) +
                " to take over");
            return 1;
        }
        if (transfer == Transfer.CATCHING_UP && shipper.live() && ackPosition >= journal.writtenPosition())
        {
            transfer = Transfer.ACTIVE;
            pendingSinceNs = 0;
            journal.gate(ackPosition, config.troubleTimeoutMs() + config.qosTimeoutMs());
            log.info(SUBSYSTEM, "backup " + peer.name() + " is active: commits wait for its acknowledgement (" +
                config.ackLevel().name().toLowerCase() + ") from position " + ackPosition);
            work++;
        }
        if (transfer == Transfer.ACTIVE)
        {
            final long written = journal.writtenPosition();
            if (ackPosition >= written)
            {
                pendingSinceNs = 0;
            }
            else if (0 == pendingSinceNs)
            {
                pendingSinceNs = nowNs;
            }
            final boolean ackOverdue = 0 != pendingSinceNs && nowNs - pendingSinceNs > qosNs;
            if (ackOverdue || peerSilent(nowNs))
            {
                enterTrouble(ackOverdue ? "acknowledged up to " + ackPosition + " of " + written + " for longer than " +
                    "the QoS timeout" : "silent for longer than the QoS timeout");
                work++;
            }
        }
        else if (transfer == Transfer.CATCHING_UP && peerSilent(nowNs))
        {
            shipper.stop();
            transfer = Transfer.DISCONNECTED;
            log.warning(SUBSYSTEM, "backup " + peer.name() + " went silent while catching up: disconnected");
        }
        if (0 != troubleSinceNs && nowNs - troubleSinceNs > troubleTimeoutNs)
        {
            leaveTrouble("the trouble timeout (" + config.troubleTimeoutMs() + " ms) passed");
            work++;
        }
        return work;
    }

    private void enterTrouble(final String why)
    {
        transfer = Transfer.DISCONNECTED;
        shipper.stop();
        troubleSinceNs = System.nanoTime();
        note = "trouble: backup " + peer.name() + " lost active status";
        log.warning(SUBSYSTEM, "backup " + peer.name() + " " + why + ": it is no longer active; the primary is " +
            "in the trouble state and commits nothing until the backup confirms it is not active or " +
            config.troubleTimeoutMs() + " ms pass");
    }

    private void leaveTrouble(final String why)
    {
        troubleSinceNs = 0;
        note = "";
        journal.gate(Long.MAX_VALUE);
        log.warning(SUBSYSTEM, "leaving the trouble state (" + why + "): commits go on without a backup");
    }

    private void demote(final String reason)
    {
        role = Role.DEMOTED;
        transfer = Transfer.DISCONNECTED;
        shipper.stop();
        journal.tap(null);
        journal.refuseGatedCommits(reason);
        host.protect("this member stopped being primary: " + reason);
        stateFile.publish(MemberStateFile.Role.STOPPING, term, journal.durablePosition());
        note = reason;
        log.severe(SUBSYSTEM, "no longer primary: " + reason);
        host.shutDown("no longer primary of mirror " + config.mirrorName() + ": " + reason + ". Start it again to " +
            "rejoin as backup");
    }

    // ------------------------------------------------------------------ backup

    private int backupDuty(final long nowNs) throws IOException
    {
        if (takeoverFinalPosition >= 0 && journal.appendedPosition() >= takeoverFinalPosition)
        {
            takeOver(true, "the primary " + peer.name() + " asked this member to take over (planned failover)");
            return 1;
        }
        if (!peerSilent(nowNs))
        {
            lostSinceNs = 0;
            if (!primaryShipping && peerRole == MirrorRole.PRIMARY &&
                nowNs - lastCatchupNs > TimeUnit.MILLISECONDS.toNanos(500))
            {
                // A primary that does not ship to us (it restarted, or our request was lost): ask again.
                lastCatchupNs = nowNs;
                link.sendCatchup(term, journal.appendedPosition());
            }
            if (peerJournalEnd >= 0)
            {
                receiver.checkBehind(peerJournalEnd, nowNs, Math.max(heartbeatNs * 4, qosNs / 4));
            }
            return 0;
        }
        if (0 == lostSinceNs)
        {
            lostSinceNs = link.lastHeardNs();
            log.warning(SUBSYSTEM, "primary " + peer.name() + " silent for longer than the QoS timeout (" +
                config.qosTimeoutMs() + " ms); this backup was " + (active ? "active" : "not active") +
                ": asking its agent at " + peer.agentAddress());
        }
        if (nowNs - lastAgentCheckNs > Math.min(qosNs / 2, TimeUnit.SECONDS.toNanos(2)))
        {
            lastAgentCheckNs = nowNs;
            final boolean wasActive = active && nowNs - lostSinceNs <= troubleTimeoutNs;
            return consultAgent(true, wasActive) ? 1 : 0;
        }
        return 0;
    }

    /**
     * Ask the other member's agent whether it is down (seed §3.3.2.2, §3.3.2.3, §3.3.5.1); take over
     * if the rules allow.
     *
     * @return true if this member took over.
     */
    private boolean consultAgent(final boolean asBackup, final boolean activeWithinTrouble) throws IOException
    {
        final long timeoutMs = Math.max(500, Math.min(config.qosTimeoutMs() / 2, 4_000));
        try (AgentClient agent = AgentClient.connect(peer.agentHost(), peer.agentPort(), config.memberName(), key,
            timeoutMs))
        {
            MemberStatus status = agent.status(peer.name());
            if (status.liveness() == MemberLiveness.HUNG)
            {
                log.warning(SUBSYSTEM, peer.name() + " is hung (no heartbeat for " + status.heartbeatAgeMs() +
                    " ms): asking its agent to force it down");
                status = agent.forceDown(peer.name(), "hung; forced down by " + config.memberName() + " of mirror " +
                    config.mirrorName());
            }
            if (!status.liveness().isDown())
            {
                note = peer.name() + " is running (its agent says " + status.liveness() + ", " + status.role() + ")";
                if (asBackup)
                {
                    active = false;
                    link.sendNotActive(term);
                    link.sendCatchup(term, journal.appendedPosition());
                }
                return false;
            }
            if (status.role() == MemberStateFile.Role.STOPPED_NO_FAILOVER)
            {
                note = peer.name() + " was stopped with --nofailover: no takeover";
                return false;
            }
            if (status.term() > term)
            {
                note = peer.name() + " is down but was primary in a later term (" + status.term() + ") than this " +
                    "member knows (" + term + "): start " + peer.name() + " first";
                return false;
            }
            // Take the journal the agent has beyond ours: required unless active within the trouble
            // timeout, and harmless then (records the primary wrote but nobody acknowledged).
            final boolean complete = fetchJournal(agent, status.journalEndPosition());
            if (!activeWithinTrouble && !complete)
            {
                note = "cannot take over: the latest journal of " + peer.name() + " could not be fetched from its " +
                    "agent";
                return false;
            }
            takeOver(false, peer.name() + " is down (its agent says " + status.liveness() + ")" +
                (activeWithinTrouble ? " and this backup was active" : " and its journal was fetched from its agent"));
            return true;
        }
        catch (final IOException ex)
        {
            note = "cannot reach " + peer.name() + " or its agent at " + peer.agentAddress() + ": " + ex.getMessage();
            log.warning(SUBSYSTEM, note + (asBackup ? "; no takeover without it" : "; waiting"));
            return false;
        }
    }

    /**
     * @return true if this member's journal now ends where the agent's copy of the other's does.
     */
    private boolean fetchJournal(final AgentClient agent, final long otherEnd) throws IOException
    {
        long from = journal.appendedPosition();
        if (otherEnd <= from)
        {
            return true;
        }
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(AGENT_CHUNK_BYTES));
        while (from < otherEnd)
        {
            final JournalChunk chunk = agent.fetchJournal(peer.name(), from, AGENT_CHUNK_BYTES);
            final byte[] bytes = chunk.bytes();
            if (0 == bytes.length)
            {
                break;
            }
            direct.putBytes(0, bytes);
            final int whole = JournalFrames.wholeFrames(direct, 0, bytes.length, AGENT_CHUNK_BYTES);
            if (whole <= 0)
            {
                break;
            }
            try
            {
                journal.appendFrames(from, direct, 0, whole);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IOException("the journal fetched from " + peer.name() + "'s agent does not continue this " +
                    "member's: " + ex.getMessage(), ex);
            }
            from += whole;
            if (chunk.atEnd() && from >= chunk.validEnd())
            {
                break;
            }
        }
        log.info(SUBSYSTEM, "fetched " + peer.name() + "'s journal from its agent up to position " + from);
        return from >= otherEnd;
    }

    // ------------------------------------------------------------------ takeover

    private void takeOver(final boolean planned, final String why) throws IOException
    {
        final long newTerm = Math.max(term, peerTerm) + 1;
        if (!hooks.mayBecomePrimary(newTerm, planned))
        {
            note = "takeover vetoed: " + hooks.vetoReason();
            log.warning(SUBSYSTEM, note);
            return;
        }
        receiver.stop();
        journal.tap(null);
        final long end = journal.appendedPosition();
        journal.awaitDurable(end); // everything received is durable before the new term starts
        terms.append(new TermLog.Term(newTerm, end, config.memberName()));
        term = newTerm;
        host.becomePrimary(newTerm, config.mirrorName(), config.memberName());
        transfer = Transfer.DISCONNECTED;
        ackPosition = 0;
        troubleSinceNs = 0;
        takeoverFinalPosition = -1;
        journal.gate(Long.MAX_VALUE, config.troubleTimeoutMs() + config.qosTimeoutMs());
        journal.tap(shipper);
        role = Role.PRIMARY;
        note = "";
        stateFile.publish(MemberStateFile.Role.PRIMARY, term, journal.durablePosition());
        link.sendHello(term, MirrorRole.PRIMARY, journal.writtenPosition(), end, 0);
        log.info(SUBSYSTEM, "PRIMARY of mirror " + config.mirrorName() + " in term " + newTerm + " from journal " +
            "position " + end + ": " + why);
        callHook(() -> hooks.becamePrimary(newTerm), "becamePrimary");
    }

    // ------------------------------------------------------------------ messages

    @Override
    public void onHello(final long senderTerm, final String memberName, final long incarnation, final MirrorRole role,
        final long journalEnd, final long termStart, final int flags)
    {
        if (null == peer || !peer.name().equals(memberName))
        {
            log.warning(SUBSYSTEM, "a HELLO from '" + memberName + "', not a failover member of this mirror: ignored");
            return;
        }
        if (incarnation != peerIncarnation)
        {
            peerIncarnation = incarnation;
            log.info(SUBSYSTEM, peer.name() + " is there (" + role + ", term " + senderTerm + ", journal end " +
                journalEnd + ")");
            lastHelloNs = 0; // answer at once so that it accepts our messages
            if (this.role == Role.PRIMARY && transfer == Transfer.ACTIVE)
            {
                enterTrouble("restarted");
            }
            else if (this.role == Role.PRIMARY && transfer != Transfer.DISCONNECTED)
            {
                shipper.stop();
                transfer = Transfer.DISCONNECTED;
            }
        }
        peerTermStart = termStart;
        heard(senderTerm, role, journalEnd);
    }

    @Override
    public void onStatus(final long senderTerm, final MirrorRole role, final long journalEnd,
        final long durablePosition, final int flags, final long sendTimeMs)
    {
        heard(senderTerm, role, journalEnd);
        if (this.role == Role.BACKUP && role == MirrorRole.PRIMARY)
        {
            final boolean nowActive = (flags & FLAG_ACTIVE) != 0;
            if (nowActive != active)
            {
                active = nowActive;
                log.info(SUBSYSTEM, "this backup is " + (nowActive ? "active" : "not active") + " (primary " +
                    peer.name() + ")");
            }
            primaryShipping = (flags & FLAG_SHIPPING) != 0;
            if (primaryShipping && senderTerm > term)
            {
                adoptTerm(senderTerm);
            }
        }
    }

    private void heard(final long senderTerm, final MirrorRole role, final long journalEnd)
    {
        peerHeard = true;
        peerRole = role;
        peerTerm = senderTerm;
        peerJournalEnd = journalEnd;
        if (this.role == Role.PRIMARY && role == MirrorRole.PRIMARY &&
            (senderTerm > term || (senderTerm == term && config.memberName().compareTo(peer.name()) > 0)))
        {
            demote(peer.name() + " is primary in term " + senderTerm + " (this member's term is " + term + ")");
        }
    }

    private void adoptTerm(final long newTerm)
    {
        try
        {
            terms.append(new TermLog.Term(newTerm, Math.max(0, peerTermStart), peer.name()));
            term = newTerm;
            receiver.follow(newTerm);
            stateFile.publish(MemberStateFile.Role.BACKUP, term, journal.durablePosition());
            log.info(SUBSYSTEM, "following " + peer.name() + " in term " + newTerm);
        }
        catch (final IOException ex)
        {
            log.severe(SUBSYSTEM, "cannot record term " + newTerm + ": " + ex.getMessage());
        }
    }

    @Override
    public void onJournal(final long senderTerm, final long position, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (role != Role.BACKUP || senderTerm < term)
        {
            return;
        }
        if (senderTerm > term)
        {
            adoptTerm(senderTerm);
        }
        receiver.onJournal(position, buffer, offset, length, System.nanoTime());
    }

    @Override
    public void onAck(final long senderTerm, final long receivedPosition, final long writtenPosition,
        final long durablePosition)
    {
        if (role != Role.PRIMARY || senderTerm != term)
        {
            return;
        }
        final long acknowledged;
        switch (config.ackLevel())
        {
            case RECEIVED:
                acknowledged = receivedPosition;
                break;
            case DURABLE:
                acknowledged = durablePosition;
                break;
            default:
                acknowledged = writtenPosition;
                break;
        }
        if (acknowledged > ackPosition)
        {
            ackPosition = acknowledged;
            if (transfer == Transfer.ACTIVE)
            {
                journal.gate(acknowledged);
            }
        }
    }

    @Override
    public void onCatchup(final long senderTerm, final long fromPosition)
    {
        if (role != Role.PRIMARY)
        {
            return;
        }
        final long failoverPoint = terms.firstStartAfter(senderTerm);
        final long written = journal.writtenPosition();
        if (fromPosition > written || (failoverPoint >= 0 && fromPosition > failoverPoint))
        {
            final String text = "your journal ends at " + fromPosition + " in term " + senderTerm + ", but this " +
                "primary's journal " + (fromPosition > written ? "ends at " + written : "went on from " +
                failoverPoint + " in a later term") + ": the records past " +
                (fromPosition > written ? written : failoverPoint) + " were never received here";
            link.sendRefuse(term, RefuseMessage.REASON_NEEDS_REBUILD, text);
            log.warning(SUBSYSTEM, "refused " + peer.name() + " as backup: " + text);
            return;
        }
        if (0 != troubleSinceNs)
        {
            leaveTrouble(peer.name() + " reconnected and is catching up");
        }
        ackPosition = fromPosition;
        transfer = Transfer.CATCHING_UP;
        pendingSinceNs = 0;
        shipper.startFrom(fromPosition, term);
        log.info(SUBSYSTEM, "backup " + peer.name() + " catching up from position " + fromPosition + " (journal here " +
            "written to " + written + ")");
    }

    @Override
    public void onTakeover(final long senderTerm, final long finalPosition)
    {
        if (role == Role.BACKUP && senderTerm == term)
        {
            takeoverFinalPosition = finalPosition;
            log.info(SUBSYSTEM, peer.name() + " asks this member to take over once it has the journal up to " +
                finalPosition + " (it has " + journal.appendedPosition() + ")");
        }
    }

    @Override
    public void onNotActive(final long senderTerm)
    {
        if (role == Role.PRIMARY && 0 != troubleSinceNs)
        {
            leaveTrouble(peer.name() + " confirmed it is not active");
        }
    }

    @Override
    public void onRefuse(final long senderTerm, final int reasonCode, final String text)
    {
        if (reasonCode == RefuseMessage.REASON_NEEDS_REBUILD && role == Role.BACKUP)
        {
            note = "refused by " + peer.name() + ": " + text + ". This member needs a rebuild from " + peer.name();
            log.severe(SUBSYSTEM, note);
            role = Role.DEMOTED;
            receiver.stop();
            journal.tap(null);
            host.shutDown("cannot join mirror " + config.mirrorName() + ": " + text + ". It holds journal data the " +
                "primary never received; rebuild it from " + peer.name() + " (its databases and journal)");
        }
        else
        {
            log.warning(SUBSYSTEM, peer.name() + " refused: " + text);
        }
    }

    // ------------------------------------------------------------------ stop

    /**
     * Stop mirroring gracefully (SPEC M-12): a primary with an active backup makes sure the backup
     * has the whole journal and asks it to take over, unless {@code failover} is false
     * ({@code stop --nofailover}). Blocks until done or the QoS timeout passes.
     */
    public void stop(final boolean failover)
    {
        stopWithFailover = failover;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        stopRequest = done;
        try
        {
            done.get(config.qosTimeoutMs() + 5_000, TimeUnit.MILLISECONDS);
        }
        catch (final Exception ex)
        {
            log.warning(SUBSYSTEM, "mirror stop did not complete: " + ex);
        }
    }

    private void runStop(final CompletableFuture<Void> stop)
    {
        try
        {
            final Role was = role;
            role = Role.STOPPING;
            host.protect("this member is stopping");
            if (was == Role.PRIMARY)
            {
                final long end = journal.appendedPosition();
                try
                {
                    journal.awaitDurable(end);
                }
                catch (final RuntimeException ex)
                {
                    log.warning(SUBSYSTEM, "journal not durable at stop: " + ex.getMessage());
                }
                final long finalPosition = journal.writtenPosition();
                if (stopWithFailover && transfer == Transfer.ACTIVE)
                {
                    handOver(finalPosition);
                }
                stateFile.publish(stopWithFailover ? MemberStateFile.Role.STOPPING :
                    MemberStateFile.Role.STOPPED_NO_FAILOVER, term, journal.durablePosition());
            }
            else
            {
                if (was == Role.BACKUP)
                {
                    link.sendNotActive(term);
                }
                stateFile.publish(MemberStateFile.Role.STOPPING, term, journal.durablePosition());
            }
            shipper.stop();
            receiver.stop();
            journal.tap(null);
        }
        finally
        {
            stop.complete(null);
        }
    }

    private void handOver(final long finalPosition)
    {
        final long deadlineNs = System.nanoTime() + qosNs;
        boolean taken = false;
        long lastSentNs = 0;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final long nowNs = System.nanoTime();
            link.poll(nowNs, 64);
            if (ackPosition < finalPosition)
            {
                try
                {
                    shipper.catchUp();
                }
                catch (final IOException ex)
                {
                    log.warning(SUBSYSTEM, "shipping the journal's end at stop: " + ex.getMessage());
                }
            }
            else if (nowNs - lastSentNs > TimeUnit.MILLISECONDS.toNanos(100))
            {
                lastSentNs = nowNs;
                link.sendTakeover(term, finalPosition);
            }
            if (peerRole == MirrorRole.PRIMARY && peerTerm > term)
            {
                taken = true;
                break;
            }
            LockSupport.parkNanos(100_000);
        }
        log.info(SUBSYSTEM, taken ? peer.name() + " took over as primary in term " + peerTerm :
            "asked " + peer.name() + " to take over (journal acknowledged to " + ackPosition + " of " + finalPosition +
            "); it did not confirm within the QoS timeout");
    }

    // ------------------------------------------------------------------ monitor

    /**
     * @return the monitor's view (M-17).
     */
    public MirrorStatus status()
    {
        final List<MirrorStatus.MemberRow> rows = new ArrayList<>();
        final MirrorConfig.Member self = config.self();
        final long applied = host.appliedPosition();
        final long end = journal.writtenPosition();
        rows.add(new MirrorStatus.MemberRow(self.name(), "Failover", title(role.name()), role == Role.BACKUP ?
            (active ? "Active" : "Catching up") : "n/a", role == Role.BACKUP ? (applied >= end ? "Caught up" :
            (end - applied) + " bytes behind") : "n/a", self.mirrorAddress(), self.agentAddress()));
        if (null != peer)
        {
            final long nowNs = System.nanoTime();
            final boolean heard = peerHeard && !peerSilent(nowNs);
            final String peerStatus = !heard ? "Down or unreachable" : title(peerRole == MirrorRole.UNKNOWN ?
                "starting" : peerRole.name());
            final String peerTransfer;
            if (role == Role.PRIMARY)
            {
                peerTransfer = transfer == Transfer.ACTIVE ? "Active" : transfer == Transfer.CATCHING_UP ?
                    (end - ackPosition) + " bytes behind" : "Disconnected";
            }
            else
            {
                peerTransfer = "n/a";
            }
            rows.add(new MirrorStatus.MemberRow(peer.name(), "Failover", peerStatus, peerTransfer,
                heard ? "n/a here" : "unknown", peer.mirrorAddress(), peer.agentAddress()));
        }
        return new MirrorStatus(config.mirrorName(), config.memberName(), role.name(), term, "Agent Controlled",
            "none", "n/a", 0 != troubleSinceNs, rows, end, journal.committedPosition(),
            role == Role.BACKUP ? applied : end, transferRateBytesPerSec);
    }

    /**
     * @return why this member is not doing what one might expect (waiting, refused, vetoed), or "".
     */
    public String note()
    {
        return note;
    }

    /**
     * @return the primary's backup transfer status (M-8), for the monitor.
     */
    public Transfer transfer()
    {
        return transfer;
    }

    /**
     * @return the other member's name, or null.
     */
    public String peerName()
    {
        return null == peer ? null : peer.name();
    }

    /**
     * @return the other member's mirror address, or null.
     */
    public MirrorConfig.Member peer()
    {
        return peer;
    }

    /**
     * @return the active backup's acknowledged position (a primary).
     */
    public long acknowledgedPosition()
    {
        return ackPosition;
    }

    private static String title(final String name)
    {
        final String lower = name.toLowerCase().replace('_', ' ');
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    private void callHook(final Runnable call, final String what)
    {
        try
        {
            call.run();
        }
        catch (final RuntimeException ex)
        {
            log.warning(SUBSYSTEM, "mirror hook " + what + " failed: " + ex);
        }
    }

    @Override
    public void close()
    {
        if (null != runner)
        {
            CloseHelper.quietClose(runner);
        }
        journal.tap(null);
        CloseHelper.quietCloseAll(link, driver, stateFile);
    }
}
