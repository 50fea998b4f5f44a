"""Events: their forms and pages, status actions (publish, cancel, move...), repeating
dates, bilingual questions, and the moderation of partners' proposals."""
