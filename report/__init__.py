"""The Sachstandsbericht: snapshot of the figures, charts, and the .docx and PDF writers."""
