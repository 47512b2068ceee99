"""The student side: registering a team and joining one by invite.

``form`` (register/join forms and their profile validators), ``logic`` (eligibility and team
texts), ``submit`` (the actions that create or join the team).
"""
