"""The pieces of the conversation, each in its own home (the way litecli keeps its special
commands apart from the loop): `lines` (what is said), `commands` (the slash-command table),
`slots` (filling a request's values, preconditions first), `offers`, `previews` (what a change
will do, before it is confirmed), `outcomes` (running an action), `welcome` (welcome and
toolbar), `speech` (hints said the conversation's way) and `cases` (a ticket for the manager).
`assistant.conversation.Conversation` holds the state and dispatches each line to them.
"""
