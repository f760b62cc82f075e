"""The web pages: sign-in, "Find a mentor", "Build a squad" and "Network health".

The pages are plain HTML and JavaScript modules served by the same Starlette app;
they call the GraphQL API with the user's bearer token, exactly as any client does,
so the role table in :mod:`api.permissions` guards them too.
"""
