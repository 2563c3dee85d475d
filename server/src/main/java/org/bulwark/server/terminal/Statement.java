package org.bulwark.server.terminal;

import java.util.List;

/**
 * The commands of the terminal idiom, as parsed. A line holds one or more, separated by spaces.
 */
sealed interface Statement
{
    /**
     * {@code set target=value,...}: the target is a {@link Expression.GlobalNode} or a local variable.
     */
    record Set(List<Assignment> assignments) implements Statement
    {
    }

    record Assignment(Expression target, Expression value)
    {
    }

    /**
     * {@code write arg,...}: {@code null} in the list stands for {@code !} (a new line).
     */
    record Write(List<Expression> arguments) implements Statement
    {
    }

    /**
     * {@code zwrite ref,...}; no references: every local variable.
     */
    record ZWrite(List<Expression> references) implements Statement
    {
    }

    /**
     * {@code kill ref,...} or {@code zkill ref,...} (node only); kill without references: every local.
     */
    record Kill(List<Expression> references, boolean nodeOnly) implements Statement
    {
    }

    record TStart() implements Statement
    {
    }

    record TCommit() implements Statement
    {
    }

    /**
     * @param levels innermost levels to undo, 0 for all.
     */
    record TRollback(int levels) implements Statement
    {
    }

    /**
     * {@code lock} (release all), {@code lock +ref:t} (incremental), {@code lock -ref},
     * {@code lock ref} (release all, then lock).
     */
    record Lock(List<LockItem> items) implements Statement
    {
    }

    /**
     * @param mode '+', '-' or ' ' (no sign).
     * @param timeoutSeconds null to wait as long as it takes.
     */
    record LockItem(char mode, Expression.GlobalNode reference, boolean shared, Expression timeoutSeconds)
    {
    }

    record Halt() implements Statement
    {
    }

    record Help() implements Statement
    {
    }
}
