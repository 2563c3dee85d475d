/**
 * Mirroring (SPEC M-*): two failover members kept in lockstep by shipping the journal over Aeron.
 * Knows the journal (journal-io) but never the store or the server: the composition root wires it.
 */
package org.bulwark.replication;
