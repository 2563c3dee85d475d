/**
 * The mirror monitor (SPEC M-17): renders a member's {@link org.bulwark.replication.MirrorStatus} as the
 * operator's table, as JSON, and as the Redis-shaped replication facts (INFO replication, ROLE) that Redis
 * clients and tools parse. Pure functions of a snapshot: nothing here reads the member's state itself.
 */
package org.bulwark.server.mirror;
